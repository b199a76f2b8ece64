import PostgresClient

// Each refusal that can come from the server gives its `PostgresError` back, so the command line can show
// the server's DETAIL to whoever asked for a verbose log, whichever service refused.

extension RegistryError: DatabaseFailure {
    public var databaseError: PostgresError? {
        switch self {
        case .database(let error): error
        case .refused(let refusal): refusal.databaseError
        default: nil
        }
    }
}

extension UserAccountError: DatabaseFailure {
    public var databaseError: PostgresError? {
        switch self {
        case .database(let error): error
        case .refused(let refusal): refusal.databaseError
        default: nil
        }
    }
}

extension TrialError: DatabaseFailure {
    public var databaseError: PostgresError? {
        if case .registry(let error) = self { error.databaseError } else { nil }
    }
}

extension AssessmentError: DatabaseFailure {
    public var databaseError: PostgresError? {
        if case .registry(let error) = self { error.databaseError } else { nil }
    }
}

extension ReportError: DatabaseFailure {
    public var databaseError: PostgresError? {
        if case .registry(let error) = self { error.databaseError } else { nil }
    }
}

extension AuditVerificationError: DatabaseFailure {
    public var databaseError: PostgresError? {
        if case .registry(let error) = self { error.databaseError } else { nil }
    }
}
