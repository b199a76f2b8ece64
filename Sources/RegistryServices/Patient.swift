import Foundation
import PostgresClient
import RegistryDomain

/// What a coordinator submits to enroll a patient, read with the domain's parsers; the rules are checked here.
public struct EnrollmentRequest: Sendable {
    public var site: String
    public var mrn: String
    /// A birth year or a birth date; a month alone is refused.
    public var birth: PartialDate
    public var sex: Sex
    public var consentDate: CalendarDate
    public var ecog: Int?
    public var ecogDate: CalendarDate?

    public init(
        site: String, mrn: String, birth: PartialDate, sex: Sex, consentDate: CalendarDate, ecog: Int? = nil,
        ecogDate: CalendarDate? = nil
    ) {
        self.site = site
        self.mrn = mrn
        self.birth = birth
        self.sex = sex
        self.consentDate = consentDate
        self.ecog = ecog
        self.ecogDate = ecogDate
    }
}

/// A patient as the registry shows it: pseudonymized, with the MRN hash never included.
public struct PatientSummary: Codable, Sendable, Hashable {
    public let registryID: String
    public let site: String
    public let birthYear: Int
    public let sex: Sex
    public let consentDate: CalendarDate
    public let consentWithdrawnOn: CalendarDate?
    public let vitalStatus: VitalStatus
    public let lastContactOn: CalendarDate?
    public let deathOn: CalendarDate?
}

public struct ECOGAssessment: Codable, Sendable, Hashable {
    public let assessedOn: CalendarDate
    public let ecog: Int
}

/// Changes a coordinator makes to a patient's follow-up; nil leaves a field as it is.
public struct PatientUpdate: Sendable {
    public var vitalStatus: VitalStatus?
    public var lastContact: CalendarDate?
    public var deathDate: CalendarDate?
    public var ecog: Int?
    public var ecogDate: CalendarDate?

    public init(
        vitalStatus: VitalStatus? = nil, lastContact: CalendarDate? = nil, deathDate: CalendarDate? = nil,
        ecog: Int? = nil,
        ecogDate: CalendarDate? = nil
    ) {
        self.vitalStatus = vitalStatus
        self.lastContact = lastContact
        self.deathDate = deathDate
        self.ecog = ecog
        self.ecogDate = ecogDate
    }
}

/// Enrollment and follow-up of pseudonymized patients.
public struct PatientService {
    let connection: Connection
    let today: CalendarDate

    public init(connection: Connection, today: CalendarDate = .today) {
        self.connection = connection
        self.today = today
    }

    /// Enrolls a patient at a site and hands out the site's next registry id.
    ///
    /// The site row is locked first, so concurrent enrollments at one site queue and get consecutive
    /// numbers, and a refused enrollment (rolled back) leaves no gap. The MRN is checked against the
    /// site's hashes under the same lock, so the same MRN enrolled twice at once is caught too.
    public func enroll(_ request: EnrollmentRequest, key: MRNKey) throws(RegistryError) -> PatientSummary {
        try MRNKey.validate(request.mrn)
        let site = request.site.trimmingCharacters(in: .whitespaces)
        guard !site.isEmpty else { throw .input(.missing(field: .site)) }
        let birth = request.birth
        let birthDate: CalendarDate?
        switch birth {
        case .year: birthDate = nil
        case .day(let date): birthDate = date
        case .yearMonth:
            throw .input(
                .malformed(
                    field: .birth, value: birth.description,
                    expected: "a birth year (YYYY) or a birth date (YYYY-MM-DD)"))
        }
        let birthYear = birth.firstDay.year
        guard birth.firstDay <= today else {
            throw .input(.inFuture(field: .birth, value: birth.firstDay, today: today))
        }
        let sex = request.sex
        let consent = request.consentDate
        try validating { () throws(RegistryInputError) in
            try ClinicalDateCheck.validate(
                consent, field: .consentDate, birthYear: birthYear, birthDate: birthDate, today: today)
        }
        let ecog = try Self.validateECOG(request.ecog, date: request.ecogDate, birthYear: birthYear, today: today)
        let hash = key.hash(mrn: request.mrn)
        do {
            return try connection.withTransaction { tx in
                try Self.refuseOtherKey(key, in: tx)
                // Through the function: a coordinator reads no site's counter, not even their own (migration 0021).
                let numbers = try tx.query("SELECT sarcreg_next_site_sequence(\(site)) AS number")
                guard let number = try numbers.first?.decode(Int?.self, "number") else {
                    throw RegistryError.unknownSite(site, didYouMean: try SiteService.closestSite(to: site, on: tx))
                }
                let existing = try tx.query(
                    "SELECT registry_id FROM patients WHERE site_code = \(site) AND mrn_hmac = \(hash)")
                if let registryID = try existing.first?.decode(String.self, "registry_id") {
                    throw RegistryError.mrnAlreadyEnrolled(site: site, registryID: registryID)
                }
                let inserted = try tx.query(
                    """
                    INSERT INTO patients (registry_id, site_code, site_sequence, mrn_hmac, birth_year, birth_date, sex, consent_date)
                    VALUES (sarcreg_registry_id(\(site), \(number)), \(site), \(number), \(hash), \(birthYear), \(birthDate),
                        \(sex.rawValue), \(consent))
                    RETURNING patient_id, registry_id
                    """)
                let (patientID, registryID) = try inserted[0].decode((Int, String).self)
                if let ecog {
                    try tx.execute(
                        "INSERT INTO patient_ecog (patient_id, assessed_on, ecog) VALUES (\(patientID), \(ecog.assessedOn), \(ecog.ecog))"
                    )
                }
                return PatientSummary(
                    registryID: registryID, site: site, birthYear: birthYear, sex: sex, consentDate: consent,
                    consentWithdrawnOn: nil, vitalStatus: .alive, lastContactOn: nil, deathOn: nil)
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// Stores the key's fingerprint on the registry's first enrollment and refuses a key whose fingerprint
    /// differs from the stored one: another key would hash an enrolled MRN differently, so the duplicate
    /// check would miss it and enroll the patient twice. Concurrent first enrollments wait on the key of
    /// the one row, and each then compares with the fingerprint that was stored.
    /// A date of death before a stored record would date that record after the death: the death is refused,
    /// naming the latest such record, so the timeline holds whichever of the two was entered first.
    static func refuseRecordsAfter(death: CalendarDate, of patient: PatientRow, on tx: Connection) throws {
        let lines = try patient.timeline(on: tx).lines.flatMap { line in
            [("therapy line \(line.number) start", line.startedOn)]
                + (line.stoppedOn.map { [("therapy line \(line.number) stop", $0)] } ?? [])
        }
        let records = try TimelineCheckService.datedValues(of: patient.id, on: tx)
            .filter { if case .vitalStatus = $0.kind { false } else { true } }
            .map { ("\($0.record) (\($0.field))", $0.date) }
        guard
            let latest = (lines + records).filter({ PatientTimeline.isAfterDeath($0.1, deathOn: death) }).max(by: {
                $0.1 < $1.1
            })
        else { return }
        throw TimelineViolation(
            rule: .afterDeath, field: .deathDate, value: death, conflict: "\(latest.0) is dated \(latest.1)")
    }

    static func refuseOtherKey(_ key: MRNKey, in tx: Connection) throws {
        try tx.execute(
            "INSERT INTO mrn_key_fingerprint (fingerprint) VALUES (\(key.fingerprint)) ON CONFLICT (only_row) DO NOTHING"
        )
        let stored = try tx.query("SELECT fingerprint FROM mrn_key_fingerprint")
        guard try stored.first?.decode(String.self, "fingerprint") == key.fingerprint else {
            throw RegistryError.mrnKeyMismatch
        }
    }

    static func validateECOG(
        _ score: Int?, date: CalendarDate?, birthYear: Int, today: CalendarDate
    )
        throws(RegistryError) -> ECOGAssessment?
    {
        switch (score, date) {
        case (nil, nil): return nil
        case (nil, .some): throw .input(.missing(field: .ecog))
        case (.some, nil): throw .input(.missing(field: .ecogDate))
        case (let score?, let date?):
            guard (0...5).contains(score) else {
                throw .input(.outOfRange(field: .ecog, value: "\(score)", range: "0 to 5"))
            }
            try validating { () throws(RegistryInputError) in
                try ClinicalDateCheck.validate(date, field: .ecogDate, birthYear: birthYear, today: today)
            }
            return ECOGAssessment(assessedOn: date, ecog: score)
        }
    }

    /// The patients of one site, or of all sites.
    public func list(site: String? = nil) throws(RegistryError) -> [PatientSummary] {
        do {
            var query: Query = "SELECT \(unsafeSQL: PatientRow.columns) FROM patients"
            if let site { query.append(" WHERE site_code = \(site)") }
            query.append(" ORDER BY site_code, site_sequence")
            return try connection.query(query).map(PatientRow.decode)
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// One patient with everything recorded about them.
    public func show(_ registryID: String) throws(RegistryError) -> PatientRecord {
        do {
            let patient = try PatientRow.find(registryID, on: connection)
            return try PatientRecord.load(patient, on: connection)
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// Records follow-up: vital status, last contact, date of death, a new ECOG assessment.
    public func update(_ registryID: String, _ update: PatientUpdate) throws(RegistryError) -> PatientSummary {
        do {
            return try connection.withTransaction { tx in
                let patient = try PatientRow.find(registryID, on: tx, lock: true)
                var vital = patient.summary.vitalStatus
                if let status = update.vitalStatus { vital = status }
                var lastContact = patient.summary.lastContactOn
                if let date = update.lastContact {
                    try ClinicalDateCheck.validate(
                        date, field: .lastContact, birthYear: patient.summary.birthYear, today: today)
                    try patient.timeline(on: tx).check(date, field: .lastContact, kind: .vitalStatus)
                    lastContact = date
                }
                var death = patient.summary.deathOn
                if let date = update.deathDate {
                    try ClinicalDateCheck.validate(
                        date, field: .deathDate, birthYear: patient.summary.birthYear, today: today)
                    death = date
                    vital = .dead
                }
                if let death, vital != .dead {
                    throw RegistryError.input(
                        .notAllowed(
                            field: .vitalStatus, value: vital.rawValue,
                            allowed: "dead (a date of death \(death) is recorded)"))
                }
                if let death, let contact = lastContact, contact > death {
                    throw RegistryError.input(
                        .beforeDate(field: .deathDate, value: death, otherField: Field("last contact"), other: contact))
                }
                if update.deathDate != nil, let death { try Self.refuseRecordsAfter(death: death, of: patient, on: tx) }
                if let ecog = try Self.validateECOG(
                    update.ecog, date: update.ecogDate, birthYear: patient.summary.birthYear, today: today)
                {
                    // ECOG is not vital status: after a withdrawal it is new data the patient no longer consents to.
                    if let withdrawn = patient.summary.consentWithdrawnOn {
                        throw RegistryError.consentWithdrawn(registryID: patient.summary.registryID, on: withdrawn)
                    }
                    try patient.timeline(on: tx).check(ecog.assessedOn, field: .ecogDate)
                    try tx.execute(
                        """
                        INSERT INTO patient_ecog (patient_id, assessed_on, ecog) VALUES (\(patient.id), \(ecog.assessedOn), \(ecog.ecog))
                        ON CONFLICT (patient_id, assessed_on) DO UPDATE SET ecog = EXCLUDED.ecog
                        """)
                }
                try tx.execute(
                    """
                    UPDATE patients SET vital_status = \(vital.rawValue), last_contact_on = \(lastContact), death_on = \(death)
                    WHERE patient_id = \(patient.id)
                    """)
                return try PatientRow.find(registryID, on: tx).summary
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }

    /// Records the withdrawal of consent; the patient's data stays, nothing new may be added.
    public func withdraw(_ registryID: String, on date: CalendarDate) throws(RegistryError) -> PatientSummary {
        do {
            return try connection.withTransaction { tx in
                let patient = try PatientRow.find(registryID, on: tx, lock: true)
                try ClinicalDateCheck.validate(date, field: .date, birthYear: patient.summary.birthYear, today: today)
                if let already = patient.summary.consentWithdrawnOn {
                    throw RegistryError.consentWithdrawn(registryID: registryID, on: already)
                }
                guard date >= patient.summary.consentDate else {
                    throw RegistryError.input(
                        .beforeDate(
                            field: .date, value: date, otherField: Field("consent date"),
                            other: patient.summary.consentDate))
                }
                try tx.execute("UPDATE patients SET consent_withdrawn_on = \(date) WHERE patient_id = \(patient.id)")
                return try PatientRow.find(registryID, on: tx).summary
            }
        } catch {
            throw RegistryError.wrap(error)
        }
    }
}

/// A patient row with its internal id, for services that write a patient's records.
struct PatientRow {
    let id: Int
    let summary: PatientSummary
    let birthDate: CalendarDate?

    static let columns =
        "patient_id, registry_id, site_code, birth_year, birth_date, sex, consent_date, consent_withdrawn_on, vital_status, last_contact_on, death_on"

    static func decode(_ row: Row) throws -> PatientSummary { try decodeRow(row).summary }

    static func decodeRow(_ row: Row) throws -> PatientRow {
        let sexText = try row.decode(String.self, "sex")
        let vitalText = try row.decode(String.self, "vital_status")
        return PatientRow(
            id: try row.decode(Int.self, "patient_id"),
            summary: PatientSummary(
                registryID: try row.decode(String.self, "registry_id"),
                site: try row.decode(String.self, "site_code"),
                birthYear: try row.decode(Int.self, "birth_year"),
                sex: Sex(rawValue: sexText) ?? .unknown,
                consentDate: try row.decode(CalendarDate.self, "consent_date"),
                consentWithdrawnOn: try row.decode(CalendarDate?.self, "consent_withdrawn_on"),
                vitalStatus: VitalStatus(rawValue: vitalText) ?? .unknown,
                lastContactOn: try row.decode(CalendarDate?.self, "last_contact_on"),
                deathOn: try row.decode(CalendarDate?.self, "death_on")),
            birthDate: try row.decode(CalendarDate?.self, "birth_date"))
    }

    /// Finds a patient by registry id; `lock` takes the row lock so concurrent writers queue.
    static func find(_ registryID: String, on connection: Connection, lock: Bool = false) throws -> PatientRow {
        let id = registryID.trimmingCharacters(in: .whitespaces).uppercased()
        let rows = try connection.query(
            "SELECT \(unsafeSQL: columns) FROM patients WHERE registry_id = \(id)\(unsafeSQL: lock ? " FOR UPDATE" : "")"
        )
        guard let row = rows.first else { throw RegistryError.patientNotFound(registryID) }
        return try decodeRow(row)
    }

    /// A patient who may receive new records: found, and consent not withdrawn.
    static func findRecordable(_ registryID: String, on connection: Connection) throws -> PatientRow {
        let patient = try find(registryID, on: connection, lock: true)
        if let withdrawn = patient.summary.consentWithdrawnOn {
            throw RegistryError.consentWithdrawn(registryID: patient.summary.registryID, on: withdrawn)
        }
        return patient
    }

    /// The patient's timeline with their therapy lines, as the domain's rules read it.
    func timeline(on connection: Connection) throws -> PatientTimeline {
        let lines = try connection.query(
            "SELECT line_number, started_on, stopped_on, concurrent FROM therapy_lines WHERE patient_id = \(id) ORDER BY line_number"
        ).map { row in
            PatientTimeline.Line(
                number: try row.decode(Int.self, "line_number"),
                startedOn: try row.decode(CalendarDate.self, "started_on"),
                stoppedOn: try row.decode(CalendarDate?.self, "stopped_on"),
                concurrent: try row.decode(Bool.self, "concurrent"))
        }
        return PatientTimeline(
            birthYear: summary.birthYear, birthDate: birthDate, deathOn: summary.deathOn,
            consentWithdrawnOn: summary.consentWithdrawnOn, lines: lines)
    }

    /// Checks a clinical date of this patient: not in the future, not before birth.
    func validate(_ date: CalendarDate, field: Field, today: CalendarDate) throws {
        try ClinicalDateCheck.validate(
            date, field: field, birthYear: summary.birthYear, birthDate: birthDate, today: today)
    }
}

extension CalendarDate {
    /// Today's date in UTC, the registry's calendar.
    public static var today: CalendarDate {
        let days = Int((Date().timeIntervalSince1970 / 86_400).rounded(.down))
        return CalendarDate(daysSinceEpoch: days)
    }
}
