import RegistryDomain

/// Measures how many RECIST time points the engine scores per second on one core.
///
/// The workload is a cohort of patients with 3 to 5 targets (one a lymph node), two non-target
/// sites and eight visits each, shrinking then regrowing so that every response category,
/// confirmation and nadir update occurs. Inputs are built before the clock starts; only
/// ``ResponseAssessment/evaluate(baseline:timePoints:therapyStart:policy:)`` is timed.
enum RecistThroughput {
    static func run(timePoints: Int) -> String {
        let visitsPerPatient = 8
        let patients = max(1, timePoints / visitsPerPatient)
        let therapyStart = CalendarDate(year: 2024, month: 1, day: 8)!
        let cohort = (0..<patients).map { patient(number: $0, visits: visitsPerPatient, therapyStart: therapyStart) }

        var scored = 0
        var progressions = 0
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for (baseline, visits) in cohort {
                do {
                    let timeline = try ResponseAssessment.evaluate(
                        baseline: baseline, timePoints: visits, therapyStart: therapyStart)
                    for series in timeline.series {
                        scored += series.evaluations.count
                        if series.progression.firstProgression != nil { progressions += 1 }
                    }
                } catch {
                    preconditionFailure("benchmark input was refused: \(error)")
                }
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Int(Double(scored) / seconds) : 0
        return "recist: \(scored) time points (\(patients) patients, \(progressions) progressed) in "
            + "\(String(format: seconds)) s = \(rate) time points/s"
    }

    private static func patient(number: Int, visits: Int, therapyStart: CalendarDate) -> (Baseline, [TimePoint]) {
        let targetCount = 3 + number % 3
        let targets = (0..<targetCount).map { index in
            TargetLesion(
                id: LesionID("T\(index + 1)"), site: AnatomicSite("organ \(index + 1)"), isLymphNode: index == 0,
                baselineDiameter: Millimetres(hundredths: 1500 + ((number * 7 + index * 13) % 40) * 100))
        }
        let nonTargets = [
            NonTargetLesion(id: "NT1", site: "bone"),
            NonTargetLesion(id: "NT2", site: "peritoneum"),
        ]
        guard
            let baseline = try? Baseline(date: therapyStart.adding(days: -5), targets: targets, nonTargets: nonTargets)
        else { preconditionFailure("benchmark baseline is invalid") }
        // Percent of baseline per visit: response, a plateau, then regrowth for every third patient.
        let course = number % 3 == 0 ? [80, 62, 55, 55, 60, 75, 95, 120] : [90, 68, 60, 58, 58, 57, 56, 56]
        let timePoints = (0..<visits).map { visit in
            var results = targets.map { target in
                LesionResult.target(
                    target.id,
                    Millimetres(hundredths: target.baselineDiameter.hundredths * course[visit % course.count] / 100))
            }
            results.append(.nonTarget("NT1", .present))
            results.append(.nonTarget("NT2", visit == 3 ? .notEvaluable : .present))
            return TimePoint(date: therapyStart.adding(days: 42 * (visit + 1)), results: results)
        }
        return (baseline, timePoints)
    }
}

extension String {
    /// Seconds with three decimals, without Foundation's formatter.
    fileprivate init(format seconds: Double) {
        let milliseconds = Int((seconds * 1000).rounded())
        let fraction = milliseconds % 1000
        self = "\(milliseconds / 1000).\(fraction < 10 ? "00" : fraction < 100 ? "0" : "")\(fraction)"
    }
}
