import PostgresClient
import RegistryServices

// A sync's refusal gives back the server's error it came from, for the verbose log of the command line.
extension SyncError: DatabaseFailure {
    public var databaseError: PostgresError? {
        switch self {
        case .database(let error): error
        case .refused(let refusal): refusal.databaseError
        case .registry(let error): error.databaseError
        default: nil
        }
    }
}
