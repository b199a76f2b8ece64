import RegistryDomain

/// The command line's names for the registry's fields and next steps: the one table from a ``Field`` to its
/// flag, and each ``NextStep`` as the command that takes it. Errors from the services carry fields and steps;
/// `Sarcreg.main` prints them through ``Wording/commandLine``.
extension Wording {
    static let commandLine = Wording(field: { $0.flag }, step: { $0.command })
}

extension Field {
    /// The flag a field is given with, e.g. `--diagnosed` for the diagnosis date, with the field's item after it
    /// (`--result T2`); a field no flag gives (a path in a trial definition) keeps its name.
    var flag: String {
        let name = Self.flags[unqualified].map { "--" + $0 } ?? self.name
        return item.map { "\(name) \($0)" } ?? name
    }

    private static let flags: [Field: String] = [
        .date: "date",
        .stopDate: "stop",
        .specimenDate: "specimen-date",
        .result: "result",
        .resolvedDate: "resolved",
        .reportDate: "report-date",
        .startDate: "start",
        .diagnosisDate: "diagnosed",
        .method: "method",
        .grade: "grade",
        .trial: "trial",
        .term: "term",
        .specifiedTerm: "specify",
        .line: "line",
        .site: "site",
        .onsetDate: "onset",
        .ecogDate: "ecog-date",
        .diameter: "diameter",
        .deathDate: "death-date",
        .arm: "arm",
        .stopReason: "stop-reason",
        .setting: "setting",
        .role: "role",
        .rename: "rename",
        .reason: "reason",
        .record: "record",
        .message: "message",
        .meaning: "meaning",
        .olderThan: "older-than",
        .primarySite: "primary-site",
        .organ: "organ",
        .lastContact: "last-contact",
        .kind: "kind",
        .icdo3: "icdo3",
        .birth: "birth",
        .biomarker: "biomarker",
        .attribution: "attribution",
        .vitalStatus: "vital-status",
        .to: "to",
        .status: "status",
        .source: "source",
        .partner: "partner",
        .mrn: "mrn",
        .lesion: "lesion",
        .indication: "indication",
        .histology: "histology",
        .from: "from",
        .file: "file",
        .evaluator: "evaluator",
        .ecog: "ecog",
        .ctcaeVersion: "ctcae-version",
        .consentDate: "consent-date",
        .cohort: "cohort",
        .asOf: "as-of",
        .agent: "agent",
        .wait: "wait",
        .stratum: "stratum",
        .sourceSite: "source-site",
        .sex: "sex",
        .serious: "serious",
        .patient: "patient",
        .out: "out",
        .name: "name",
        .minPercent: "min-percent",
        .intent: "intent",
        .recordID: "id",
        .icdoVersion: "icdo-version",
        .gene: "gene",
        .concurrent: "concurrent",
        .code: "code",
        .lesionClass: "class",
        .authority: "authority",
        .allowKnownIDs: "allow-known-ids",
        .acquiredResistance: "acquired-resistance",
        .since: "since",
        .baseline: "baseline",
    ]
}

extension NextStep {
    /// The command that takes the step, quoted as a coordinator would type it.
    var command: String {
        switch self {
        case .listSites: "`sarcreg site list`"
        case .addSite: "`sarcreg site add`"
        case .showPatient(let id): "`sarcreg patient show \(id)`"
        case .listAgents: "`sarcreg therapy catalog`"
        case .showAgent: "`sarcreg therapy catalog show AGENT`"
        case .listAlerts: "`sarcreg alerts`"
        case .grantSite: "`sarcreg user add NAME --role coordinator --site CODE`"
        case .grantSyncRole: "`sarcreg user add NAME --role sync`"
        case .addLesions: "`sarcreg lesion add`"
        case .amendLesions: "`sarcreg lesion amend`"
        case .startTherapyLine: "`sarcreg therapy start`"
        case .recordAssessment: "`sarcreg assess record`"
        case .correctAdverseEvent(let id, let event):
            "`sarcreg ae update \(id) --id \(event) --term ... [--specify ...] --reason ...`"
        case .addTrial: "`sarcreg trial add FILE`"
        case .listSyncRuns: "`sarcreg sync runs`"
        case .mapSourceSite: "`sarcreg sync map-site`"
        }
    }
}
