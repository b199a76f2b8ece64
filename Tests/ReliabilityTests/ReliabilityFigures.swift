/// The figures the reliability suite reports, each printed as one machine-readable line
/// (`reliability-figure NAME=VALUE`) that `Scripts/test.sh` sums from the test log into one block.
///
/// A line per test rather than one block from the suite: tests run concurrently and may fail early, and a
/// figure a test did not report must read as missing, never as 0.
enum ReliabilityFigure: String {
    case filesTried = "files-tried"
    case rowsQuarantined = "rows-quarantined"
    case enrollments
    case conflictsRetried = "conflicts-retried"
    case writesLost = "writes-lost"

    func report(_ value: Int) {
        print("reliability-figure \(rawValue)=\(value)")
    }
}
