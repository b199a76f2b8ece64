internal import CLibPQ
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Ends a process's database work cleanly when it receives SIGINT or SIGTERM.
///
/// Without it, a signal kills the client mid-statement and the server goes on running that statement, with
/// its transaction's locks, until it next tries to talk to the client: a killed import's apply kept the sync
/// lock and the row locks on `sites`, and enrollment at those sites waited. Once ``install(signals:grace:exit:)``
/// has run, a signal instead
///
/// 1. sends a cancel request for the statement every open ``Connection`` is running, so the server aborts it
///    and its transaction at once;
/// 2. makes every connection refuse any further statement but `ROLLBACK`, and any more COPY data, with a
///    client error of SQLSTATE `57014`, so the command unwinds through its rollbacks and nothing the signal
///    interrupted can commit;
/// 3. calls `exit` if the process is still running `grace` later (it was blocked outside the database, e.g.
///    on a prompt), or at once on a second signal. An open transaction then ends with the connection.
///
/// The signals are received on a dispatch queue, not in a signal handler, so sending the cancel request
/// (`PQcancel` opens a connection) and taking locks are allowed; the cancel objects are prepared when each
/// connection opens, as libpq requires for use from another thread.
public enum Interruption {
    /// Starts handling `signals`; call it once, before the command's work. `exit` receives the signal number,
    /// must end the process, and runs on the signal queue while the main thread may still be inside libpq.
    public static func install(
        signals: [Int32] = [SIGINT, SIGTERM], grace: DispatchTimeInterval = .seconds(3),
        exit: @escaping @Sendable (Int32) -> Void
    ) {
        let queue = DispatchQueue(label: "sarcreg.interruption")
        installedSources.withLock { sources in
            for signalNumber in signals {
                // The default action would kill the process before the source could see the signal.
                _ = Glibc.signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
                source.setEventHandler {
                    let first = received.compareExchange(
                        expected: 0, desired: signalNumber, ordering: .sequentiallyConsistent
                    )
                    .exchanged
                    guard first else { return exit(signalNumber) }
                    cancelRegistry.withLock { cancels in
                        for cancel in cancels.values { cancel.send() }
                    }
                    queue.asyncAfter(deadline: .now() + grace) { exit(signalNumber) }
                }
                source.resume()
                sources.append(source)
            }
        }
    }

    /// The signal that interrupted the process, or nil.
    public static var signal: Int32? {
        let value = received.load(ordering: .sequentiallyConsistent)
        return value == 0 ? nil : value
    }

    /// The signal's usual name (`SIGTERM`), or its number.
    public static func name(of signal: Int32) -> String {
        switch signal {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        case SIGQUIT: "SIGQUIT"
        default: "signal \(signal)"
        }
    }

    /// The first signal received; 0 until then.
    private static let received = Atomic<Int32>(0)
    /// Kept so the sources live as long as the process.
    private static let installedSources = Mutex<[any DispatchSourceSignal]>([])
}

/// libpq's cancel object of one connection.
///
/// Unchecked Sendable: libpq documents `PQcancel` on a `PGcancel` as safe from any thread, even while the
/// connection itself is in use on another. A request leaves ``cancelRegistry`` under its lock, which every
/// `send` holds, so it is never freed during a send.
final class CancelRequest: @unchecked Sendable {
    private let handle: OpaquePointer

    init?(connection: OpaquePointer) {
        guard let handle = PQgetCancel(connection) else { return nil }
        self.handle = handle
    }

    deinit { PQfreeCancel(handle) }

    /// Asks the server to cancel the statement running on the connection, if any.
    func send() {
        var reason = [CChar](repeating: 0, count: 256)
        _ = PQcancel(handle, &reason, Int32(reason.count))
    }
}

/// The cancel object of every open connection, by connection.
let cancelRegistry = Mutex<[ObjectIdentifier: CancelRequest]>([:])

extension Connection {
    /// Refuses to send anything but a rollback once the process has been interrupted (see ``Interruption``).
    func refuseIfInterrupted(_ sql: String) throws(PostgresError) {
        guard let signal = Interruption.signal,
            !sql.drop(while: \.isWhitespace).uppercased().hasPrefix("ROLLBACK")
        else { return }
        throw PostgresError(
            kind: .client, sqlState: .queryCanceled, message: "interrupted by \(Interruption.name(of: signal))",
            sql: sql)
    }

    /// Makes the connection's running statement cancellable by ``Interruption``.
    func registerForInterruption() {
        guard let request = CancelRequest(connection: handle) else { return }
        cancelRegistry.withLock { $0[ObjectIdentifier(self)] = request }
    }

    /// Drops the connection's cancel object before the connection closes.
    func unregisterFromInterruption() {
        _ = cancelRegistry.withLock { $0.removeValue(forKey: ObjectIdentifier(self)) }
    }
}
