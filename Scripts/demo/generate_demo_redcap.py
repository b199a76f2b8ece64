#!/usr/bin/env python3
"""Writes the SYNTHETIC demo REDCap export Demo/redcap/export.csv (12 invented patients of one data access group).

Usage: Scripts/demo/generate_demo_redcap.py [OUT_FILE]
The SDTM demo (Demo/sdtm) carries no diagnoses or molecular results, so the quick start imports this export as
well: each record has a WHO 2020 diagnosis, molecular results (fusions written with their 5' partner, an NTRK
fusion, amplifications, a loss of expression), therapy lines, adverse events with CTCAE terms, and tumor
assessments that give complete and partial responses, stable disease and progression. One patient with diffuse
tenosynovial giant cell tumour is left untreated, so the README can screen and enroll them in a stratified trial.
The columns are those of the published dictionary (REDCap/sarcreg_data_dictionary.csv) in REDCap's export order.
Everything is invented; no real patient. Deterministic: the same file on every run.
"""
import csv
import datetime
import os
import sys

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "Demo", "redcap", "export.csv")
dag = "demo_bcn"

with open(os.path.join(root, "REDCap", "sarcreg_data_dictionary.csv"), newline="", encoding="utf-8-sig") as f:
    fields = list(csv.reader(f))[1:]
columns = [fields[0][0], "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance", "redcap_data_access_group"]
forms = []
for field in fields:
    if field[1] not in forms:
        forms.append(field[1])
for form in forms:
    for field in fields:
        if field[1] != form or field[0] == fields[0][0] or field[3] == "descriptive":
            continue
        if field[3] == "checkbox":
            columns += [field[0] + "___" + choice.split(",", 1)[0].strip() for choice in field[5].split("|")]
        else:
            columns.append(field[0])
    columns.append(form + "_complete")
position = {name: index for index, name in enumerate(columns)}


def row(record, event, instrument="", instance="", **values):
    cells = [""] * len(columns)
    cells[0], cells[1], cells[2], cells[3], cells[4] = record, event, instrument, str(instance) if instance else "", dag
    for name, value in values.items():
        cells[position[name]] = str(value)
    return cells


def day(text):
    return datetime.date.fromisoformat(text)


# Each patient: diagnosis, molecular results (gene, kind, 5' partner, method, result), lines (agents, start offset
# in days from baseline, stop offset or None, stop reason), AEs (term, grade, onset offset, line), target lesions
# (id, organ, baseline mm) with a size factor per follow-up visit (every 6 weeks), and an optional new lesion visit.
patients = [
    dict(id="BCN-R01", birth=1979, sex="female", icdo="9040/3", entity="Synovial sarcoma NOS", grade=3, site="thigh",
         setting="metastatic", dx="2023-09", baseline="2024-01-08",
         molecular=[("SSX1", "fusion", "SS18", "ngs_rna", "positive")],
         lines=[(["doxorubicin", "ifosfamide"], 7, 133, "progression"), (["pazopanib"], 147, None, "")],
         aes=[("Neutrophil count decreased", 3, 20, 1), ("Nausea", 2, 9, 1), ("Hypertension", 2, 170, 2)],
         lesions=[("T1", "lung", 24.0), ("T2", "lung", 18.5)], factors=[0.8, 0.7, 0.75, 0.95]),
    dict(id="BCN-R02", birth=1991, sex="male", icdo="8801/3", entity="Undifferentiated spindle cell sarcoma", grade=2,
         site="retroperitoneum", setting="metastatic", dx="2023-11", baseline="2024-02-05",
         molecular=[("NTRK3", "fusion", "ETV6", "ngs_rna", "positive"), ("NTRK3", "rearrangement", "", "fish", "positive")],
         lines=[(["larotrectinib"], 7, None, "")],
         aes=[("Dizziness", 1, 30, 1), ("Alanine aminotransferase increased", 2, 58, 1)],
         lesions=[("T1", "liver", 41.0), ("T2", "peritoneum", 22.0)], factors=[0.62, 0.41, 0.35, 0.33]),
    dict(id="BCN-R03", birth=1958, sex="male", icdo="8858/3", entity="Dedifferentiated liposarcoma", grade=3,
         site="retroperitoneum", setting="locally_advanced_unresectable", dx="2023-06", baseline="2024-01-22",
         molecular=[("MDM2", "amplification", "", "fish", "positive"), ("CDK4", "amplification", "", "ngs_dna", "positive")],
         lines=[(["trabectedin"], 7, 91, "progression"), (["eribulin"], 98, None, "")],
         aes=[("Fatigue", 2, 14, 1), ("Anemia", 2, 120, 2)],
         lesions=[("T1", "retroperitoneum", 88.0)], factors=[1.08, 1.25, 1.2, 1.15]),
    dict(id="BCN-R04", birth=1966, sex="female", icdo="8890/3", entity="Leiomyosarcoma", grade=3, site="uterus",
         setting="metastatic", dx="2023-05", baseline="2024-03-04",
         molecular=[("TP53", "mutation", "", "ngs_dna", "positive"), ("RB1", "deletion", "", "ngs_dna", "positive")],
         lines=[(["doxorubicin", "dacarbazine"], 7, 140, "completed"), (["trabectedin"], 180, None, "")],
         aes=[("Nausea", 1, 8, 1), ("Platelet count decreased", 3, 40, 1), ("Fatigue", 1, 190, 2)],
         lesions=[("T1", "lung", 31.0), ("T2", "liver", 27.0), ("T3", "liver", 15.5)], factors=[0.72, 0.66, 0.64, 0.7]),
    dict(id="BCN-R05", birth=1985, sex="female", icdo="8821/1", entity="Desmoid fibromatosis", grade=None,
         site="abdominal wall", setting="locally_advanced_unresectable", dx="2023-10", baseline="2024-01-15",
         molecular=[("CTNNB1", "mutation", "", "ngs_dna", "positive")],
         lines=[(["nirogacestat"], 7, None, "")],
         aes=[("Diarrhea", 2, 21, 1)],
         lesions=[("T1", "abdominal wall", 62.0)], factors=[0.95, 0.85, 0.8, 0.78]),
    dict(id="BCN-R06", birth=1972, sex="male", icdo="8804/3", entity="Epithelioid sarcoma", grade=None, site="forearm",
         setting="metastatic", dx="2023-08", baseline="2024-02-19",
         molecular=[("SMARCB1", "loss_of_expression", "", "ihc", "positive")],
         lines=[(["tazemetostat"], 7, 105, "progression")],
         aes=[("Fatigue", 1, 15, 1)],
         lesions=[("T1", "lung", 19.0), ("T2", "lymph node", None)], factors=[0.97, 1.05], new_lesion_visit=2),
    dict(id="BCN-R07", birth=1995, sex="female", icdo="9581/3", entity="Alveolar soft part sarcoma", grade=None,
         site="thigh", setting="metastatic", dx="2023-12", baseline="2024-03-11",
         molecular=[("TFE3", "fusion", "ASPSCR1", "ngs_rna", "positive")],
         lines=[(["atezolizumab"], 7, None, "")],
         aes=[("Hypothyroidism", 2, 63, 1)],
         lesions=[("T1", "lung", 21.0), ("T2", "lung", 16.0)], factors=[0.9, 0.75, 0.68, 0.66]),
    dict(id="BCN-R08", birth=1961, sex="female", icdo="8714/3", entity="Malignant PEComa", grade=None, site="uterus",
         setting="metastatic", dx="2023-07", baseline="2024-02-12",
         molecular=[("TSC2", "mutation", "", "ngs_dna", "positive")],
         lines=[(["nab_sirolimus"], 7, None, "")],
         aes=[("Mucositis oral", 2, 18, 1), ("Anemia", 1, 45, 1)],
         lesions=[("T1", "liver", 35.0)], factors=[0.0, 0.0, 0.0, 0.0]),
    dict(id="BCN-R09", birth=1988, sex="male", icdo="8825/1", entity="Inflammatory myofibroblastic tumour", grade=None,
         site="lung", setting="locally_advanced_unresectable", dx="2024-01", baseline="2024-03-18",
         molecular=[("ALK", "fusion", "TPM3", "ngs_rna", "positive"), ("ALK", "overexpression", "", "ihc", "positive")],
         lines=[(["crizotinib"], 7, None, "")],
         aes=[("Nausea", 1, 10, 1), ("Edema limbs", 1, 50, 1)],
         lesions=[("T1", "lung", 45.0)], factors=[0.7, 0.6, 0.58, 0.6]),
    dict(id="BCN-R10", birth=1953, sex="male", icdo="8890/3", entity="Leiomyosarcoma", grade=2, site="retroperitoneum",
         setting="metastatic", dx="2023-03", baseline="2024-01-29",
         molecular=[("PTEN", "deletion", "", "ngs_dna", "positive")],
         lines=[(["gemcitabine", "docetaxel"], 7, 84, "toxicity")],
         aes=[("Neutrophil count decreased", 4, 30, 1), ("Fatigue", 3, 60, 1)],
         lesions=[("T1", "liver", 52.0), ("T2", "lung", 14.0)], factors=[0.98, 1.02], death="2024-09-14"),
    dict(id="BCN-R11", birth=1977, sex="female", icdo="8814/3", entity="Infantile fibrosarcoma", grade=None, site="shoulder",
         setting="metastatic", dx="2023-10", baseline="2024-04-08",
         molecular=[("NTRK3", "fusion", "ETV6", "ngs_rna", "positive")],
         lines=[(["entrectinib"], 7, None, "")],
         aes=[("Dysgeusia", 1, 12, 1), ("Weight gain", 1, 70, 1)],
         lesions=[("T1", "lung", 26.0), ("T2", "liver", 33.0)], factors=[0.85, 0.72, 0.69, 0.7]),
    # Untreated, for the README's screening and stratified enrollment in a trial.
    dict(id="BCN-R12", birth=1983, sex="female", icdo="9252/1", entity="Tenosynovial giant cell tumour, diffuse",
         grade=None, site="knee", setting="locally_advanced_unresectable", dx="2024-04", baseline="2024-05-06",
         molecular=[("CSF1", "rearrangement", "", "fish", "positive")],
         lines=[], aes=[], lesions=[("T1", "knee", 38.0)], factors=[]),
]

rows = []
for p in patients:
    record, baseline = p["id"], day(p["baseline"])
    visits = [baseline + datetime.timedelta(days=42 * (n + 1)) for n in range(len(p["factors"]))]
    last = max([baseline] + visits) + datetime.timedelta(days=30)
    enrollment = dict(birth_year=p["birth"], sex=p["sex"], consent_date=baseline - datetime.timedelta(days=10),
                      vital_status="dead" if "death" in p else "alive", enrollment_complete=2,
                      histology_icdo3=p["icdo"], icdo_version="3.2", who_entity=p["entity"], primary_site=p["site"],
                      diagnosis_date=p["dx"], disease_setting=p["setting"], diagnosis_complete=2)
    if "death" in p:
        enrollment.update(death_date=p["death"], last_contact_date=p["death"])
    else:
        enrollment.update(last_contact_date=last)
    if p["grade"]:
        enrollment.update(fnclcc_grade=p["grade"])
    rows.append(row(record, "enrollment_arm_1", **enrollment))
    for n, (gene, kind, partner, method, result) in enumerate(p["molecular"], start=1):
        rows.append(row(record, "enrollment_arm_1", "molecular_result", n, mol_gene=gene, mol_kind=kind,
                        mol_partner_gene=partner, mol_method=method, mol_result=result, mol_acquired_resistance=0,
                        mol_report_date=baseline - datetime.timedelta(days=21), mol_laboratory="Demo molecular lab",
                        molecular_result_complete=2))
    for n, (agents, start, stop, reason) in enumerate(p["lines"], start=1):
        values = dict(line_of_therapy=n, line_intent="palliative", line_start_date=baseline + datetime.timedelta(days=start),
                      therapy_line_complete=2)
        for agent in agents:
            values["line_agents___" + agent] = 1
        if stop is not None:
            values.update(line_stop_date=baseline + datetime.timedelta(days=stop), line_stop_reason=reason)
        rows.append(row(record, "enrollment_arm_1", "therapy_line", n, **values))
    for n, (term, grade, onset, line) in enumerate(p["aes"], start=1):
        rows.append(row(record, "enrollment_arm_1", "adverse_event", n, ae_term=term, ae_ctcae_version="5.0",
                        ae_grade=grade, ae_onset_date=baseline + datetime.timedelta(days=onset), ae_attribution="possible",
                        ae_serious=1 if grade >= 3 else 0, ae_line=line, adverse_event_complete=2))
    for visit, date in enumerate([baseline] + visits):
        event = f"assessment_{visit + 1}_arm_1"
        rows.append(row(record, event, assessment_date=date, assessment_evaluator="investigator",
                        assessment_baseline=1 if visit == 0 else 0, tumor_assessment_complete=2))
        instance = 0
        for lesion, organ, size in p["lesions"]:
            instance += 1
            values = dict(lesion_id=lesion, lesion_organ=organ, lesion_method="ct", lesion_complete=2)
            if size is None:
                values.update(lesion_id="NT1", lesion_class="non_target", lesion_node=1, lesion_state="present")
            else:
                values.update(lesion_class="target", lesion_node=0)
                measured = 0.0 if visit == 0 else round(size * p["factors"][visit - 1], 1)
                if visit == 0:
                    values.update(lesion_diameter_mm=f"{size:.1f}", lesion_state="measured")
                elif measured == 0:
                    values.update(lesion_state="disappeared")
                else:
                    values.update(lesion_diameter_mm=f"{measured:.1f}", lesion_state="measured")
            rows.append(row(record, event, "lesion", instance, **values))
        if p.get("new_lesion_visit") == visit:
            rows.append(row(record, event, "lesion", instance + 1, lesion_id="N1", lesion_class="new", lesion_organ="liver",
                            lesion_node=0, lesion_method="ct", lesion_state="unequivocal", lesion_complete=2))

os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w", newline="") as f:
    writer = csv.writer(f, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
print(f"{out}: {len(patients)} records, {len(rows)} rows")
