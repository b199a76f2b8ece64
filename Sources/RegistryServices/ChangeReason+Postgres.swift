import PostgresClient
import RegistryDomain

extension ChangeReason {
    /// Makes the reason the current transaction's `sarcreg.change_reason`, which the audit trigger stores with
    /// every row the transaction changes (migration 0022). The setting is transaction-local, so it ends with
    /// the correction and never reaches a later write on the connection.
    func apply(on transaction: Connection) throws {
        try transaction.execute("SELECT set_config('sarcreg.change_reason', \(text), true)")
    }
}
