#!/usr/bin/env python3
"""Generates the SYNTHETIC demo registry export in Demo/sdtm/ (SDTM DM, EX, SUPPEX, AE, TU, TR).

Every subject, date and measurement is invented from a fixed seed; nothing comes from a real patient.
Run it again and the files come out byte for byte the same. The quick start imports these files
through the sync module and reports on them.
"""
import csv
import datetime as dt
import os
import random

SEED = 20261127
STUDY = "SARCREG-DEMO-SYNTHETIC"
SITES = ["101", "102"]
AGENTS = [
    ("PAZOPANIB", 800, "mg"),
    ("DOXORUBICIN", 75, "mg/m2"),
    ("TRABECTEDIN", 1.5, "mg/m2"),
    ("LAROTRECTINIB", 100, "mg"),
]
ORGANS = ["LUNG", "LIVER", "PERITONEUM", "SOFT TISSUE", "BONE"]
AE_TERMS = ["Fatigue", "Nausea", "Anemia", "Neutrophil count decreased", "Hypertension", "Diarrhea",
            "Alanine aminotransferase increased", "Anorexia"]


def iso(day):
    return day.isoformat()


def main():
    rng = random.Random(SEED)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Demo", "sdtm")
    os.makedirs(out, exist_ok=True)
    dm, ex, suppex, ae, tu, tr = [], [], [], [], [], []
    for index in range(1, 81):
        site = SITES[index % 2]
        subject = f"DEMO-{site}-{index:03d}"
        consent = dt.date(2022, 1, 10) + dt.timedelta(days=rng.randrange(0, 500))
        age = rng.randrange(24, 82)
        sex = rng.choice(["F", "M"])
        start = consent + dt.timedelta(days=rng.randrange(7, 21))
        agent, dose, unit = AGENTS[index % len(AGENTS)]
        # A trajectory per subject: the fraction of the baseline sum at each 6-weekly visit.
        kind = rng.choices(["responder", "stable", "progressor"], weights=[3, 3, 4])[0]
        visits = rng.randrange(3, 12)
        # Responders and stable disease may escape later: regrowth from the visit given here on.
        escape = rng.randrange(3, 10) if kind != "progressor" and rng.random() < 0.6 else None
        fractions, level, nadir = [], 1.0, 1.0
        for visit in range(visits):
            if escape is not None and visit >= escape:
                level = level * rng.uniform(1.15, 1.4)
            elif kind == "responder":
                level = max(0.0, level - rng.uniform(0.12, 0.3)) if visit < 3 else level * rng.uniform(0.95, 1.05)
            elif kind == "stable":
                level = level * rng.uniform(0.92, 1.06)
            else:
                level = level * rng.uniform(1.05, 1.35)
            fractions.append(level)
            nadir = min(nadir, level)
            if level >= 1.2 * nadir and visit > 0 and (escape is not None or kind == "progressor"):
                break
        # RECIST 1.1: at most two targets per organ, so each target gets an organ of its own here.
        targets = []
        organs = rng.sample(ORGANS, 3)
        for number in range(1, rng.randrange(2, 5)):
            node = number == 1 and rng.random() < 0.25
            size = rng.randrange(16, 60)
            targets.append((f"T{number:02d}", "LYMPH NODE" if node else organs[number - 1], node, size))
        # Baseline and follow-ups; a progressor may show a new lesion at its last visit.
        for link, organ, node, size in targets:
            tu.append([STUDY, "TU", subject, "SCREENING", 1, organ, "TUMIDENT", "Tumor Identification", "TARGET",
                       "TARGET", "CT SCAN", link, "INVESTIGATOR", "", "Y"])
        tu.append([STUDY, "TU", subject, "SCREENING", 1, "BONE", "TUMIDENT", "Tumor Identification", "NON-TARGET",
                   "NON-TARGET", "CT SCAN", "NT01", "INVESTIGATOR", "", "Y"])
        baseline_day = start - dt.timedelta(days=rng.randrange(1, 14))
        schedule = [(1, "SCREENING", baseline_day, 1.0)] + [
            (visit + 2, f"WEEK {6 * (visit + 1)}", start + dt.timedelta(days=42 * (visit + 1) + rng.randrange(-3, 4)), fraction)
            for visit, fraction in enumerate(fractions)]
        for visit_number, visit_name, day, fraction in schedule:
            for link, organ, node, size in targets:
                value = round(size * fraction, 1)
                if node and visit_number > 1:
                    value = round(max(value, 4.0), 1)
                test = "LPERP" if node else "LDIAM"
                tr.append([STUDY, "TR", subject, "TARGET", link, test, "Longest diameter", value, "mm", value, value, "mm",
                           visit_number, visit_name, "INVESTIGATOR", "", "Y", iso(day)])
            state = "PRESENT" if not (kind == "responder" and fraction < 0.05) else "ABSENT"
            tr.append([STUDY, "TR", subject, "NON-TARGET", "NT01", "TUMSTATE", "Tumor State", state, "", state, "", "",
                       visit_number, visit_name, "INVESTIGATOR", "", "Y", iso(day)])
        last_day = schedule[-1][2]
        progressed = kind == "progressor" or (escape is not None and len(fractions) > escape)
        if progressed and rng.random() < 0.5:
            tu.append([STUDY, "TU", subject, schedule[-1][1], schedule[-1][0], "LIVER", "TUMIDENT", "Tumor Identification",
                       "NEW", "NEW", "CT SCAN", "NEW01", "INVESTIGATOR", "", "Y"])
            tr.append([STUDY, "TR", subject, "NEW", "NEW01", "TUMSTATE", "Tumor State", "UNEQUIVOCAL", "", "UNEQUIVOCAL",
                       "", "", schedule[-1][0], schedule[-1][1], "INVESTIGATOR", "", "Y", iso(last_day)])
        stopped = progressed or rng.random() < 0.3
        stop_day = last_day + dt.timedelta(days=rng.randrange(1, 10)) if stopped else None
        death = ""
        if progressed and rng.random() < 0.6:
            death = iso(last_day + dt.timedelta(days=rng.randrange(40, 300)))
        dm.append([STUDY, "DM", subject, f"{index:03d}", iso(consent), site, age, "YEARS", sex, death,
                   "Y" if death else ""])
        ex.append([STUDY, "EX", subject, 1, agent, dose, unit, iso(start), iso(stop_day) if stop_day else ""])
        suppex.append([STUDY, "EX", subject, "EXSEQ", 1, "LINENUM", "Line of therapy", 1])
        suppex.append([STUDY, "EX", subject, "EXSEQ", 1, "INTENT", "Intent", "PALLIATIVE"])
        if stop_day:
            reason = "PROGRESSION" if progressed else rng.choice(["TOXICITY", "PATIENT_CHOICE"])
            suppex.append([STUDY, "EX", subject, "EXSEQ", 1, "STOPRSN", "Reason stopped", reason])
        for sequence in range(1, rng.randrange(1, 5)):
            onset = start + dt.timedelta(days=rng.randrange(3, 90))
            grade = rng.choices([1, 2, 3, 4], weights=[5, 4, 2, 1])[0]
            term = rng.choice(AE_TERMS)
            ae.append([STUDY, "AE", subject, sequence, term, term, grade, iso(onset),
                       iso(onset + dt.timedelta(days=rng.randrange(2, 30))), "POSSIBLY RELATED", "Y" if grade >= 4 else "N"])
    files = {
        "dm.csv": (["STUDYID", "DOMAIN", "USUBJID", "SUBJID", "RFICDTC", "SITEID", "AGE", "AGEU", "SEX", "DTHDTC", "DTHFL"], dm),
        "ex.csv": (["STUDYID", "DOMAIN", "USUBJID", "EXSEQ", "EXTRT", "EXDOSE", "EXDOSU", "EXSTDTC", "EXENDTC"], ex),
        "suppex.csv": (["STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM", "QLABEL", "QVAL"], suppex),
        "ae.csv": (["STUDYID", "DOMAIN", "USUBJID", "AESEQ", "AETERM", "AEDECOD", "AETOXGR", "AESTDTC", "AEENDTC", "AEREL", "AESER"], ae),
        "tu.csv": (["STUDYID", "DOMAIN", "USUBJID", "VISIT", "VISITNUM", "TULOC", "TUTESTCD", "TUTEST", "TUORRES", "TUSTRESC",
                    "TUMETHOD", "TULNKID", "TUEVAL", "TUEVALID", "TUACPTFL"], tu),
        "tr.csv": (["STUDYID", "DOMAIN", "USUBJID", "TRGRPID", "TRLNKID", "TRTESTCD", "TRTEST", "TRORRES", "TRORRESU", "TRSTRESC",
                    "TRSTRESN", "TRSTRESU", "VISITNUM", "VISIT", "TREVAL", "TREVALID", "TRACPTFL", "TRDTC"], tr),
    }
    for name, (header, rows) in files.items():
        with open(os.path.join(out, name), "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
    print(f"wrote {len(dm)} synthetic subjects to {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
