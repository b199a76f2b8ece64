#!/usr/bin/env python3
"""Writes a synthetic SDTM export (dm, ex, suppex, tu, tr csv) for the sync benchmark and crash test.

Usage: generate-sdtm.py OUT_DIR TR_ROWS [FIRST_SUBJECT]
Each subject has 5 target lesions read by the investigator at a baseline and follow-ups every 6 weeks
(5 TR rows per visit), so TR_ROWS / 50 subjects get 10 visits each. Subjects are spread over the source
sites 701-704 (at most 9999 registry ids per site). Subjects are numbered from FIRST_SUBJECT (default 0), so a
second export with new subjects can follow a first. Values are synthetic; no real data.
"""
import datetime
import os
import sys

out, tr_rows = sys.argv[1], int(sys.argv[2])
first_subject = int(sys.argv[3]) if len(sys.argv) > 3 else 0
lesions, visits = 5, 10
# RECIST 1.1 allows at most two targets per organ; the import quarantines a baseline with more.
organs = ["LUNG", "LUNG", "LIVER", "LIVER", "PERITONEUM"]
subjects = max(1, tr_rows // (lesions * visits))
os.makedirs(out, exist_ok=True)
start = datetime.date(2020, 1, 1)


def subject_id(n):
    return f"BENCH-{701 + n % 4}-{n:06d}"


with open(os.path.join(out, "dm.csv"), "w") as dm, open(os.path.join(out, "ex.csv"), "w") as ex, \
        open(os.path.join(out, "suppex.csv"), "w") as supp, open(os.path.join(out, "tu.csv"), "w") as tu, \
        open(os.path.join(out, "tr.csv"), "w") as tr:
    dm.write("STUDYID,DOMAIN,USUBJID,SITEID,RFICDTC,AGE,SEX\n")
    ex.write("STUDYID,DOMAIN,USUBJID,EXSEQ,EXTRT,EXDOSE,EXDOSU,EXSTDTC,EXENDTC\n")
    supp.write("STUDYID,RDOMAIN,USUBJID,IDVAR,IDVARVAL,QNAM,QVAL\n")
    tu.write("STUDYID,DOMAIN,USUBJID,TULNKID,TUTESTCD,TUORRES,TUSTRESC,TULOC,TUMETHOD,TUEVAL,TUACPTFL\n")
    tr.write("STUDYID,DOMAIN,USUBJID,TRLNKID,TRTESTCD,TRORRES,TRSTRESC,TRSTRESN,TRSTRESU,VISITNUM,VISIT,TREVAL,TRDTC\n")
    written = 0
    for n in range(first_subject, first_subject + subjects):
        usubjid = subject_id(n)
        baseline = start + datetime.timedelta(days=n % 700)
        dm.write(f"BENCH,DM,{usubjid},{701 + n % 4},{baseline},{30 + n % 50},{'MF'[n % 2]}\n")
        ex.write(f"BENCH,EX,{usubjid},1,DOXORUBICIN,75,mg/m2,{baseline + datetime.timedelta(days=3)},\n")
        supp.write(f"BENCH,EX,{usubjid},EXSEQ,1,INTENT,PALLIATIVE\n")
        for lesion in range(1, lesions + 1):
            tu.write(f"BENCH,TU,{usubjid},T{lesion:02d},TUMIDENT,TARGET,TARGET,{organs[lesion - 1]},CT SCAN,INVESTIGATOR,Y\n")
        for visit in range(visits):
            if written >= tr_rows:
                break
            day = baseline + datetime.timedelta(days=42 * visit)
            label = "BASELINE" if visit == 0 else f"WEEK {6 * visit}"
            for lesion in range(1, lesions + 1):
                size = 20 + lesion * 3 + (n + visit) % 7
                tr.write(f"BENCH,TR,{usubjid},T{lesion:02d},LDIAM,{size},{size},{size},mm,{visit + 1},{label},INVESTIGATOR,{day}\n")
                written += 1
