import PostgresClient
import RegistryDomain

/// What `ae update` changes; a nil field keeps the stored value.
public struct AdverseEventUpdate: Sendable {
    /// A CTCAE v5.0 term in any case, validated as `ae record` validates it.
    public var term: String?
    /// What the event was, beside an "Other, specify" term (the stored term when `term` is nil).
    public var specified: String?
    public var grade: Int?
    public var resolved: CalendarDate?
    public var attribution: Attribution?
    public var serious: Bool?

    public init(
        term: String? = nil, specified: String? = nil, grade: Int? = nil, resolved: CalendarDate? = nil,
        attribution: Attribution? = nil, serious: Bool? = nil
    ) {
        self.term = term
        self.specified = specified
        self.grade = grade
        self.resolved = resolved
        self.attribution = attribution
        self.serious = serious
    }
}

/// What `therapy amend` changes; a nil field keeps the stored value.
public struct TherapyAmendment: Sendable {
    public var start: CalendarDate?
    public var stop: CalendarDate?
    public var stopReason: StopReason?
    public var concurrent: Bool?

    public init(
        start: CalendarDate? = nil, stop: CalendarDate? = nil, stopReason: StopReason? = nil, concurrent: Bool? = nil
    ) {
        self.start = start
        self.stop = stop
        self.stopReason = stopReason
        self.concurrent = concurrent
    }
}

/// What `diagnosis amend` changes; a nil field keeps the stored value.
public struct DiagnosisAmendment: Sendable {
    public var icdo3Code: HistologyCode?
    public var fnclccGrade: Int?
    public var primarySite: String?
    public var diagnosed: PartialDate?
    public var diseaseSetting: DiseaseSetting?

    public init(
        icdo3Code: HistologyCode? = nil, fnclccGrade: Int? = nil, primarySite: String? = nil,
        diagnosed: PartialDate? = nil,
        diseaseSetting: DiseaseSetting? = nil
    ) {
        self.icdo3Code = icdo3Code
        self.fnclccGrade = fnclccGrade
        self.primarySite = primarySite
        self.diagnosed = diagnosed
        self.diseaseSetting = diseaseSetting
    }
}

/// What `molecular amend` changes; a nil field keeps the stored value.
public struct MolecularAmendment: Sendable {
    public var result: PatientProfile.TestResult?
    public var method: MolecularMethod?
    public var reportDate: CalendarDate?
    public var specimenDate: CalendarDate?

    public init(
        result: PatientProfile.TestResult? = nil, method: MolecularMethod? = nil, reportDate: CalendarDate? = nil,
        specimenDate: CalendarDate? = nil
    ) {
        self.result = result
        self.method = method
        self.reportDate = reportDate
        self.specimenDate = specimenDate
    }
}

/// Corrections of stored adverse events, therapy lines, diagnoses and molecular results. Each takes a reason,
/// checks the corrected record by the rules its first entry met (vocabularies, date order, the timeline), and
/// writes in one transaction whose audit entries carry the reason with the old and new rows. A correction is
/// not a new record: it is accepted after a withdrawal of consent, but moves no date past it.
public struct CorrectionService {
    let connection: Connection
    let today: CalendarDate

    public init(connection: Connection, today: CalendarDate = .today) {
        self.connection = connection
        self.today = today
    }

    public func updateAdverseEvent(
        _ registryID: String, id: Int, _ update: AdverseEventUpdate, reason reasonText: String?
    )
        throws(RegistryError) -> AdverseEventRecord
    {
        let reason = try validating { () throws(RegistryInputError) in try ChangeReason(reasonText) }
        if let grade = update.grade, !(1...5).contains(grade) {
            throw .input(.outOfRange(field: .grade, value: "\(grade)", range: "1 to 5 (CTCAE)"))
        }
        let attribution = update.attribution
        let resolved = update.resolved
        guard
            update.term != nil || update.specified != nil || update.grade != nil || attribution != nil
                || resolved != nil
                || update.serious != nil
        else {
            throw .input(.missingAny(fields: [.term, .specifiedTerm, .grade, .resolvedDate, .attribution, .serious]))
        }
        do {
            return try connection.withTransaction { tx in
                let patient = try PatientRow.find(registryID, on: tx, lock: true)
                let rows = try tx.query(
                    "SELECT onset_on, ctcae_term FROM adverse_events WHERE adverse_event_id = \(id) AND patient_id = \(patient.id) FOR UPDATE"
                )
                guard let row = rows.first else {
                    throw RegistryError.correctionTargetNotFound(
                        registryID: patient.summary.registryID, record: "adverse event \(id)")
                }
                let onset = try row.decode(CalendarDate.self, "onset_on")
                // A new specifying text alone is checked against the stored term, which must then be a vocabulary term too.
                var named: CTCAEVocabulary.Named? = nil
                if update.term != nil || update.specified != nil {
                    named = try CTCAEVocabulary.named(
                        try update.term ?? row.decode(String.self, "ctcae_term"), specified: update.specified,
                        termField: update.term == nil ? Field("the stored term") : .term, specifyField: .specifiedTerm,
                        on: tx)
                }
                if let resolved {
                    guard resolved >= onset else {
                        throw RegistryError.input(
                            .beforeDate(
                                field: .resolvedDate, value: resolved, otherField: Field("the onset"), other: onset))
                    }
                    try patient.validate(resolved, field: .resolvedDate, today: today)
                    try patient.timeline(on: tx).check(resolved, field: .resolvedDate)
                }
                try reason.apply(on: tx)
                try tx.execute(
                    """
                    UPDATE adverse_events SET grade = coalesce(\(update.grade), grade), resolved_on = coalesce(\(resolved), resolved_on),
                        attribution = coalesce(\(attribution?.rawValue), attribution), serious = coalesce(\(update.serious), serious),
                        ctcae_term = coalesce(\(named?.term), ctcae_term), meddra_code = coalesce(\(named?.meddraCode), meddra_code),
                        term_specified = CASE WHEN \(named != nil) THEN \(named?.specified) ELSE term_specified END
                    WHERE adverse_event_id = \(id)
                    """)
                guard
                    let record = try AdverseEventRecord.load(patientID: patient.id, on: tx).first(where: { $0.id == id }
                    )
                else {
                    throw RegistryError.correctionTargetNotFound(
                        registryID: patient.summary.registryID, record: "adverse event \(id)")
                }
                return record
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    public func amendTherapyLine(
        _ registryID: String, line: Int, _ amendment: TherapyAmendment, reason reasonText: String?
    )
        throws(RegistryError) -> TherapyLineRecord
    {
        let reason = try validating { () throws(RegistryInputError) in try ChangeReason(reasonText) }
        let start = amendment.start
        let stop = amendment.stop
        let stopReason = amendment.stopReason
        guard start != nil || stop != nil || stopReason != nil || amendment.concurrent != nil else {
            throw .input(.missingAny(fields: [.startDate, .stopDate, .stopReason, .concurrent]))
        }
        do {
            return try connection.withTransaction { tx in
                let patient = try PatientRow.find(registryID, on: tx, lock: true)
                let rows = try tx.query(
                    """
                    SELECT therapy_line_id, started_on, stopped_on, stop_reason, concurrent FROM therapy_lines
                    WHERE patient_id = \(patient.id) AND line_number = \(line) FOR UPDATE
                    """)
                guard let row = rows.first else {
                    throw RegistryError.therapyLineNotFound(registryID: patient.summary.registryID, line: line)
                }
                let newStart = try start ?? row.decode(CalendarDate.self, "started_on")
                let newStop = try stop ?? row.decode(CalendarDate?.self, "stopped_on")
                let newReason = try stopReason?.rawValue ?? row.decode(String?.self, "stop_reason")
                let concurrent = try amendment.concurrent ?? row.decode(Bool.self, "concurrent")
                if newStop != nil, newReason == nil { throw RegistryError.input(.missing(field: .stopReason)) }
                if newStop == nil, newReason != nil { throw RegistryError.input(.missing(field: .stopDate)) }
                if let newStop, newStop < newStart {
                    throw RegistryError.input(
                        .beforeDate(
                            field: .stopDate, value: newStop, otherField: Field("the line's start"), other: newStart))
                }
                try patient.validate(newStart, field: .startDate, today: today)
                if let newStop { try patient.validate(newStop, field: .stopDate, today: today) }
                try patient.timeline(on: tx).check(
                    line: PatientTimeline.Line(
                        number: line, startedOn: newStart, stoppedOn: newStop, concurrent: concurrent),
                    startField: .startDate, stopField: .stopDate)
                // What was recorded on the line was dated on or after its start when it was entered (assess record
                // takes the line started on or before the assessment); a later start would orphan it.
                let lineID = try row.decode(Int.self, "therapy_line_id")
                let earliest = try tx.query(
                    """
                    SELECT what, min(dated) AS dated FROM (
                        SELECT 'a follow-up assessment of the line' AS what, assessed_on AS dated FROM assessments
                        WHERE therapy_line_id = \(lineID) AND void_reason IS NULL
                        UNION ALL SELECT 'an adverse event of the line', onset_on FROM adverse_events WHERE therapy_line_id = \(lineID)) d
                    WHERE dated < \(newStart) GROUP BY what ORDER BY min(dated) LIMIT 1
                    """)
                if let first = earliest.first {
                    throw RegistryError.input(
                        .beforeDate(
                            field: Field(try first.decode(String.self, "what")),
                            value: try first.decode(CalendarDate.self, "dated"),
                            otherField: .startDate, other: newStart))
                }
                try reason.apply(on: tx)
                try tx.execute(
                    """
                    UPDATE therapy_lines SET started_on = \(newStart), stopped_on = \(newStop), stop_reason = \(newReason), concurrent = \(concurrent)
                    WHERE therapy_line_id = \(lineID)
                    """)
                // The line's start is where its series' SD interval and PFS count from: each series is scored again.
                try tx.execute("CREATE TEMP TABLE corrected_patient (patient_id bigint) ON COMMIT DROP")
                try tx.execute("INSERT INTO corrected_patient VALUES (\(patient.id))")
                let pairs =
                    "SELECT a.patient_id, a.evaluator FROM assessments a JOIN corrected_patient USING (patient_id) WHERE a.is_baseline"
                if let refused = try StoredSeriesCheck.refused(pairs: pairs, on: tx).first {
                    throw RegistryError.seriesRefused(refused)
                }
                guard
                    let record = try TherapyLineRecord.load(patientID: patient.id, on: tx).first(where: {
                        $0.lineNumber == line
                    })
                else {
                    throw RegistryError.therapyLineNotFound(registryID: patient.summary.registryID, line: line)
                }
                return record
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    public func amendDiagnosis(
        _ registryID: String, id: Int, _ amendment: DiagnosisAmendment, reason reasonText: String?
    )
        throws(RegistryError) -> DiagnosisRecord
    {
        let reason = try validating { () throws(RegistryInputError) in try ChangeReason(reasonText) }
        let code = amendment.icdo3Code?.rawValue
        if let grade = amendment.fnclccGrade, !(1...3).contains(grade) {
            throw .input(.outOfRange(field: .grade, value: "\(grade)", range: "1 to 3 (FNCLCC)"))
        }
        let setting = amendment.diseaseSetting
        let diagnosed = amendment.diagnosed
        let site = amendment.primarySite?.trimmingCharacters(in: .whitespaces)
        if let site, site.isEmpty { throw .input(.missing(field: .primarySite)) }
        guard code != nil || amendment.fnclccGrade != nil || setting != nil || diagnosed != nil || site != nil else {
            throw .input(.missingAny(fields: [.icdo3, .grade, .primarySite, .diagnosisDate, .setting]))
        }
        do {
            return try connection.withTransaction { tx in
                let patient = try PatientRow.find(registryID, on: tx, lock: true)
                guard
                    try !tx.query(
                        "SELECT 1 FROM diagnoses WHERE diagnosis_id = \(id) AND patient_id = \(patient.id) FOR UPDATE"
                    ).isEmpty
                else {
                    throw RegistryError.correctionTargetNotFound(
                        registryID: patient.summary.registryID, record: "diagnosis \(id)")
                }
                var entity: String?
                if let code {
                    let vocabulary = try tx.query("SELECT entity FROM histology_codes WHERE code = \(code)")
                    guard let known = try vocabulary.first?.decode(String.self, "entity") else {
                        throw RegistryError.unknownHistologyCode(code)
                    }
                    entity = known
                }
                if let diagnosed {
                    try patient.validate(diagnosed.firstDay, field: .diagnosisDate, today: today)
                    try patient.timeline(on: tx).check(diagnosed.firstDay, field: .diagnosisDate)
                }
                let parts = diagnosed?.parts
                try reason.apply(on: tx)
                try tx.execute(
                    """
                    UPDATE diagnoses SET icdo3_code = coalesce(\(code), icdo3_code), who_entity = coalesce(\(entity), who_entity),
                        fnclcc_grade = coalesce(\(amendment.fnclccGrade), fnclcc_grade), primary_site = coalesce(\(site), primary_site),
                        disease_setting = coalesce(\(setting?.rawValue), disease_setting),
                        diagnosed_year = CASE WHEN \(diagnosed != nil) THEN \(parts?.0) ELSE diagnosed_year END,
                        diagnosed_month = CASE WHEN \(diagnosed != nil) THEN \(parts?.1) ELSE diagnosed_month END,
                        diagnosed_day = CASE WHEN \(diagnosed != nil) THEN \(parts?.2) ELSE diagnosed_day END
                    WHERE diagnosis_id = \(id)
                    """)
                guard let record = try DiagnosisRecord.load(patientID: patient.id, on: tx).first(where: { $0.id == id })
                else {
                    throw RegistryError.correctionTargetNotFound(
                        registryID: patient.summary.registryID, record: "diagnosis \(id)")
                }
                return record
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    public func amendMolecular(
        _ registryID: String, id: Int, _ amendment: MolecularAmendment, reason reasonText: String?
    )
        throws(RegistryError) -> MolecularResultRecord
    {
        let reason = try validating { () throws(RegistryInputError) in try ChangeReason(reasonText) }
        let result = amendment.result
        let method = amendment.method
        let report = amendment.reportDate
        let specimen = amendment.specimenDate
        guard result != nil || method != nil || report != nil || specimen != nil else {
            throw .input(.missingAny(fields: [.result, .method, .reportDate, .specimenDate]))
        }
        do {
            return try connection.withTransaction { tx in
                let patient = try PatientRow.find(registryID, on: tx, lock: true)
                let rows = try tx.query(
                    """
                    SELECT report_date, specimen_date FROM molecular_results
                    WHERE molecular_result_id = \(id) AND patient_id = \(patient.id) AND void_reason IS NULL FOR UPDATE
                    """)
                guard let row = rows.first else {
                    throw RegistryError.correctionTargetNotFound(
                        registryID: patient.summary.registryID, record: "molecular result \(id)")
                }
                let newReport = try report ?? row.decode(CalendarDate.self, "report_date")
                let newSpecimen = try specimen ?? row.decode(CalendarDate?.self, "specimen_date")
                if let newSpecimen, newSpecimen > newReport {
                    throw RegistryError.input(
                        .beforeDate(field: .reportDate, value: newReport, otherField: .specimenDate, other: newSpecimen)
                    )
                }
                let timeline = try patient.timeline(on: tx)
                if let report {
                    try patient.validate(report, field: .reportDate, today: today)
                    try timeline.check(report, field: .reportDate)
                }
                if let specimen {
                    try patient.validate(specimen, field: .specimenDate, today: today)
                    try timeline.check(specimen, field: .specimenDate)
                }
                try reason.apply(on: tx)
                try tx.execute(
                    """
                    UPDATE molecular_results SET result = coalesce(\(result?.rawValue), result), method = coalesce(\(method?.rawValue), method),
                        report_date = \(newReport), specimen_date = \(newSpecimen)
                    WHERE molecular_result_id = \(id)
                    """)
                guard
                    let record = try MolecularResultRecord.load(patientID: patient.id, on: tx).first(where: {
                        $0.id == id
                    })
                else {
                    throw RegistryError.correctionTargetNotFound(
                        registryID: patient.summary.registryID, record: "molecular result \(id)")
                }
                return record
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// Marks a molecular result void: it stays stored with the reason, and matching, screening, reports and
    /// exports no longer read it.
    public func voidMolecular(_ registryID: String, id: Int, reason reasonText: String?) throws(RegistryError) {
        let reason = try validating { () throws(RegistryInputError) in try ChangeReason(reasonText) }
        do {
            try connection.withTransaction { tx in
                let patient = try PatientRow.find(registryID, on: tx, lock: true)
                try reason.apply(on: tx)
                let updated = try tx.execute(
                    """
                    UPDATE molecular_results SET void_reason = \(reason.text)
                    WHERE molecular_result_id = \(id) AND patient_id = \(patient.id) AND void_reason IS NULL
                    """)
                guard updated.affectedRows == 1 else {
                    throw RegistryError.correctionTargetNotFound(
                        registryID: patient.summary.registryID, record: "molecular result \(id)")
                }
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }
}
