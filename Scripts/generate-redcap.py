#!/usr/bin/env python3
"""Writes a synthetic REDCap flat record export (CSV, raw values, raw headers) for the REDCap import benchmark.

Usage: generate-redcap.py OUT_FILE ROWS [DICTIONARY] [FIRST_RECORD]
The columns are those of the dictionary (default REDCap/sarcreg_data_dictionary.csv) in REDCap's export order.
Each record has an enrollment row with its diagnosis, a molecular result, a therapy line and an adverse event,
then 10 assessment events of one tumor assessment row and 5 target lesion rows each: 64 rows, 50 of them lesion
measurements. The file stops at exactly ROWS rows (the last record may be cut short; every row it keeps is valid).
Records are spread over the data access groups dag_701 ... dag_704 (at most 9999 registry ids per site) and
numbered from FIRST_RECORD (default 0), so a second export with new records can follow a first.
Values are synthetic; no real data.
"""
import csv
import datetime
import os
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out, rows = sys.argv[1], int(sys.argv[2])
dictionary = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else os.path.join(root, "REDCap", "sarcreg_data_dictionary.csv")
first_record = int(sys.argv[4]) if len(sys.argv) > 4 else 0
lesions, visits = 5, 10
# RECIST 1.1 allows at most two targets per organ; the import quarantines a baseline with more.
organs = ["lung", "lung", "liver", "liver", "peritoneum"]
start = datetime.date(2020, 1, 1)

with open(dictionary, newline="", encoding="utf-8-sig") as f:
    fields = list(csv.reader(f))[1:]
record_field = fields[0][0]
columns = [record_field, "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance", "redcap_data_access_group"]
forms = []
for field in fields:
    if field[1] not in forms:
        forms.append(field[1])
for form in forms:
    for field in fields:
        if field[1] != form or field[0] == record_field or field[3] == "descriptive":
            continue
        if field[3] == "checkbox":
            columns += [field[0] + "___" + choice.split(",", 1)[0].strip() for choice in field[5].split("|")]
        else:
            columns.append(field[0])
    columns.append(form + "_complete")
position = {name: index for index, name in enumerate(columns)}


def row(record, dag, event, instrument="", instance="", **values):
    cells = [""] * len(columns)
    cells[0], cells[1], cells[2], cells[3], cells[4] = record, event, instrument, str(instance) if instance else "", dag
    for name, value in values.items():
        cells[position[name]] = str(value)
    return ",".join(cells) + "\n"


def record_rows(n):
    record = f"{701 + n % 4}-{n:06d}"
    baseline = start + datetime.timedelta(days=n % 700)
    line_start = baseline + datetime.timedelta(days=7)
    # REDCap exports the data access group on every row of a record; the import reads it from the enrollment row.
    dag = f"dag_{701 + n % 4}"
    yield row(record, dag, "enrollment_arm_1", birth_year=1940 + n % 60, sex=("female", "male")[n % 2],
                     consent_date=baseline - datetime.timedelta(days=14), vital_status="alive",
                     last_contact_date=baseline + datetime.timedelta(days=420), enrollment_complete=2,
                     histology_icdo3="9040/3", icdo_version="3.2", who_entity="Synovial sarcoma", fnclcc_grade=1 + n % 3,
                     primary_site="thigh", diagnosis_date=(baseline - datetime.timedelta(days=30)).strftime("%Y-%m"),
                     disease_setting="metastatic", diagnosis_complete=2)
    yield row(record, dag, "enrollment_arm_1", "molecular_result", 1, mol_gene="SS18", mol_kind="fusion", mol_partner_gene="SSX1",
                       mol_method="fish", mol_result="positive", mol_acquired_resistance=0,
                       mol_report_date=baseline - datetime.timedelta(days=20), mol_laboratory="Bench lab",
                       molecular_result_complete=2)
    yield row(record, dag, "enrollment_arm_1", "therapy_line", 1, line_of_therapy=1, line_agents___doxorubicin=1,
                       line_intent="palliative", line_start_date=line_start, line_dose="75 mg/m2 q3w", therapy_line_complete=2)
    yield row(record, dag, "enrollment_arm_1", "adverse_event", 1, ae_term="Anemia", ae_ctcae_version="5.0", ae_grade=1 + n % 3,
                       ae_onset_date=line_start + datetime.timedelta(days=10), ae_attribution="possible", ae_serious=0, ae_line=1,
                       adverse_event_complete=2)
    for visit in range(visits):
        event = f"assessment_{visit + 1}_arm_1"
        day = baseline + datetime.timedelta(days=42 * visit)
        yield row(record, dag, event, assessment_date=day, assessment_evaluator="investigator",
                           assessment_baseline=1 if visit == 0 else 0, tumor_assessment_complete=2)
        for lesion in range(1, lesions + 1):
            size = 20 + lesion * 3 + (n + visit) % 7
            yield row(record, dag, event, "lesion", lesion, lesion_id=f"T{lesion}", lesion_class="target", lesion_organ=organs[lesion - 1],
                               lesion_node=0, lesion_method="ct", lesion_diameter_mm=f"{size}.{(n + lesion) % 10}",
                               lesion_state="measured", lesion_complete=2)


with open(out, "w", newline="") as f:
    f.write(",".join(columns) + "\n")
    written, n = 0, first_record
    while written < rows:
        for line in record_rows(n):
            if written >= rows:
                break
            f.write(line)
            written += 1
        n += 1
