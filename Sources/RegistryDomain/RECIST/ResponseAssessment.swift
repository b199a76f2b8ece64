/// Scores a patient's assessments under RECIST 1.1: each time point, the best overall response
/// and the progression dates.
///
/// The engine is pure and total over valid input: the same baseline, assessments, start date and
/// policy always give the same timeline, whatever order the assessments are passed in.
public enum ResponseAssessment {
    /// Scores every time point of every evaluator.
    ///
    /// - Parameters:
    ///   - baseline: the validated baseline lesions.
    ///   - timePoints: the assessments in any order, possibly from several evaluators.
    ///   - therapyStart: start of the therapy line (randomisation in randomised trials); the SD minimum
    ///     interval and progression-free survival count from it.
    ///   - policy: the trial's RECIST choices.
    /// - Throws: ``RecistInputError`` for the first bad input found; nothing is scored then.
    public static func evaluate(
        baseline: Baseline,
        timePoints: [TimePoint],
        therapyStart: CalendarDate,
        policy: ResponsePolicy = .recistDefault
    ) throws(RecistInputError) -> ResponseTimeline {
        var evaluators: [Evaluator] = []
        for timePoint in timePoints {
            guard timePoint.date >= baseline.date else {
                throw .assessmentBeforeBaseline(date: timePoint.date, baseline: baseline.date)
            }
            if !evaluators.contains(timePoint.evaluator) { evaluators.append(timePoint.evaluator) }
        }
        evaluators.sort { $0.rawValue < $1.rawValue }
        var scorer = TimePointScorer(baseline: baseline, policy: policy)
        var series: [ResponseSeries] = []
        series.reserveCapacity(evaluators.count)
        for evaluator in evaluators {
            var ordered = evaluators.count == 1 ? timePoints : timePoints.filter { $0.evaluator == evaluator }
            if !Self.isInDateOrder(ordered) { ordered.sort { $0.date < $1.date } }
            for index in ordered.indices.dropFirst() where ordered[index].date == ordered[index - 1].date {
                throw .duplicateTimePoint(date: ordered[index].date, evaluator: evaluator)
            }
            let scored = try scorer.score(ordered)
            let counted = scored.evaluations[
                ..<(scored.firstProgressionIndex.map { $0 + 1 } ?? scored.evaluations.count)]
            let best = BestOverallResponse(
                counted: counted, therapyStart: therapyStart, policy: policy,
                hasTargetDisease: baseline.hasTargetDisease)
            let progression = ProgressionOutcome(
                evaluations: scored.evaluations, firstProgressionIndex: scored.firstProgressionIndex,
                responseStart: best.responseStart(confirmationRequired: policy.confirmationRequired),
                therapyStart: therapyStart)
            series.append(
                ResponseSeries(
                    evaluator: evaluator, evaluations: scored.evaluations, bestOverallResponse: best,
                    progression: progression))
        }
        return ResponseTimeline(therapyStart: therapyStart, policy: policy, series: series)
    }

    /// Registry exports arrive sorted; checking first avoids copying the caller's array to sort it.
    private static func isInDateOrder(_ timePoints: [TimePoint]) -> Bool {
        for index in timePoints.indices.dropFirst() where timePoints[index].date < timePoints[index - 1].date {
            return false
        }
        return true
    }
}

/// Scores one evaluator's time points in date order, reusing its buffers between series so that a
/// time point allocates nothing unless a lesion is missing.
struct TimePointScorer {
    private let baseline: Baseline
    private let policy: ResponsePolicy
    private let targetIDs: [LesionID]
    private let targetIsNode: [Bool]
    private let nonTargetIDs: [LesionID]
    /// Which time point last reported each baseline lesion (targets first, then non-targets); a
    /// lesion whose stamp is not the current one has no result.
    private var reportedAt: [Int]
    private var targetDiameter: [Int]
    private var nonTargetState: [NonTargetState]
    private var stamp = 0

    init(baseline: Baseline, policy: ResponsePolicy) {
        self.baseline = baseline
        self.policy = policy
        targetIDs = baseline.targets.map(\.id)
        targetIsNode = baseline.targets.map(\.isLymphNode)
        nonTargetIDs = baseline.nonTargets.map(\.id)
        reportedAt = Array(repeating: 0, count: targetIDs.count + nonTargetIDs.count)
        targetDiameter = Array(repeating: 0, count: targetIDs.count)
        nonTargetState = Array(repeating: .notEvaluable, count: nonTargetIDs.count)
    }

    struct Series {
        var evaluations: [TimePointEvaluation]
        var firstProgressionIndex: Int?
    }

    /// State carried from one time point to the next within a series.
    private struct Memory {
        var nadir: Millimetres
        /// First date of the current run of target PR/CR (at most one NE inside), for continuing PR.
        var responseRunStart: CalendarDate?
        var notEvaluableInRun = 0
        var partialResponseEstablished: CalendarDate?
        var lastCompleteResponse: CalendarDate?
        var firstProgressionIndex: Int?
        var equivocalFirstSeen: [(lesion: LesionID, index: Int)] = []
    }

    mutating func score(_ timePoints: [TimePoint]) throws(RecistInputError) -> Series {
        var memory = Memory(nadir: baseline.sumOfDiameters)
        var evaluations: [TimePointEvaluation] = []
        evaluations.reserveCapacity(timePoints.count)
        for timePoint in timePoints {
            try scoreNext(timePoint, memory: &memory, evaluations: &evaluations)
        }
        return Series(evaluations: evaluations, firstProgressionIndex: memory.firstProgressionIndex)
    }

    private func targetIndex(of id: LesionID) -> Int? {
        for index in targetIDs.indices where targetIDs[index] == id { return index }
        return nil
    }

    private func nonTargetIndex(of id: LesionID) -> Int? {
        for index in nonTargetIDs.indices where nonTargetIDs[index] == id { return index }
        return nil
    }

    private mutating func scoreNext(
        _ timePoint: TimePoint, memory: inout Memory, evaluations: inout [TimePointEvaluation]
    ) throws(RecistInputError) {
        stamp += 1
        let date = timePoint.date
        let index = evaluations.count
        var unequivocalNew: LesionID?
        var newLesion: NewLesionState?
        var confirmedEquivocal: (lesion: LesionID, index: Int)?

        for result in timePoint.results {
            let id = result.lesion
            switch result.finding {
            case .target(let measurement):
                guard let slot = targetIndex(of: id) else {
                    if nonTargetIndex(of: id) != nil {
                        throw .lesionClassChanged(id, baseline: .nonTarget, reported: .target, date: date)
                    }
                    throw .unknownLesion(id, date: date)
                }
                guard reportedAt[slot] != stamp else { throw .duplicateResult(id, date: date) }
                reportedAt[slot] = stamp
                if let diameter = measurement.scoredDiameter {
                    try Baseline.checkPlausible(id, diameter, date: date)
                    targetDiameter[slot] = diameter.hundredths
                } else {
                    targetDiameter[slot] = -1
                }
            case .nonTarget(let state):
                guard let position = nonTargetIndex(of: id) else {
                    if targetIndex(of: id) != nil {
                        throw .lesionClassChanged(id, baseline: .target, reported: .nonTarget, date: date)
                    }
                    throw .unknownLesion(id, date: date)
                }
                let slot = targetIDs.count + position
                guard reportedAt[slot] != stamp else { throw .duplicateResult(id, date: date) }
                reportedAt[slot] = stamp
                nonTargetState[position] = state
            case .new(let state):
                if targetIndex(of: id) != nil {
                    throw .lesionClassChanged(id, baseline: .target, reported: .new, date: date)
                }
                if nonTargetIndex(of: id) != nil {
                    throw .lesionClassChanged(id, baseline: .nonTarget, reported: .new, date: date)
                }
                let earlier = memory.equivocalFirstSeen.first { $0.lesion == id }
                switch state {
                case .unequivocal:
                    newLesion = .unequivocal
                    if unequivocalNew == nil { unequivocalNew = id }
                    if confirmedEquivocal == nil, let earlier { confirmedEquivocal = earlier }
                case .equivocal:
                    if newLesion == nil { newLesion = .equivocal }
                    if earlier == nil { memory.equivocalFirstSeen.append((id, index)) }
                }
            }
        }

        let target = targetResponse(date: date, memory: memory)
        let nonTarget = nonTargetResponse()

        var overall: TimePointResponse
        var rule: TimePointRule
        if let unequivocalNew {
            (overall, rule) = (.progressiveDisease, .unequivocalNewLesion(unequivocalNew))
        } else if let target, target.response.response == .progressiveDisease {
            (overall, rule) = (.progressiveDisease, .targetProgression(target.response.rule))
        } else if let nonTarget, nonTarget.response == .progressiveDisease {
            (overall, rule) = (.progressiveDisease, .nonTargetProgression(nonTarget.rule))
        } else if let completeOn = memory.lastCompleteResponse,
            target?.diseaseMeasured == true || nonTarget?.response == .nonCompleteNonProgression,
            policy.reappearanceAfterCompleteResponse == .progression
        {
            (overall, rule) = (.progressiveDisease, .reappearanceAfterCompleteResponse(completeResponseOn: completeOn))
        } else if let target {
            overall = Self.table1(target: target.response.response, nonTarget: nonTarget?.response)
            rule = .table1(overall, target: target.response, nonTarget: nonTarget)
        } else {
            // RECIST Table 2 without PD gives the non-target response itself; a valid baseline
            // without targets has non-targets, so `nonTarget` is set here.
            let nonTarget = nonTarget!
            overall = nonTarget.response
            rule = .table2(overall, nonTarget: nonTarget)
        }

        if memory.lastCompleteResponse != nil, overall != .progressiveDisease,
            policy.reappearanceAfterCompleteResponse == .reclassifyAsPartialResponse,
            target?.diseaseMeasured == true || nonTarget?.response == .nonCompleteNonProgression
        {
            for earlier in evaluations.indices where evaluations[earlier].overall == .completeResponse {
                evaluations[earlier].overall = .partialResponse
                evaluations[earlier].rule = .completeResponseReclassified(diseaseSeenOn: date)
            }
            memory.lastCompleteResponse = nil
        }

        if let (lesion, firstSeen) = confirmedEquivocal,
            memory.firstProgressionIndex.map({ firstSeen < $0 }) ?? true
        {
            evaluations[firstSeen].overall = .progressiveDisease
            evaluations[firstSeen].rule = .equivocalNewLesionConfirmed(lesion, confirmedOn: date)
            for later in (firstSeen + 1)..<index { evaluations[later].isAfterProgression = true }
            memory.firstProgressionIndex = firstSeen
        }

        evaluations.append(
            TimePointEvaluation(
                date: date, evaluator: timePoint.evaluator, sumOfDiameters: target?.sum,
                allTargetsMeasured: target?.complete ?? false, baselineSum: baseline.sumOfDiameters,
                nadir: memory.nadir, target: target?.response, nonTarget: nonTarget, newLesion: newLesion,
                overall: overall, rule: rule, isAfterProgression: memory.firstProgressionIndex != nil))

        remember(date: date, index: index, target: target, overall: overall, memory: &memory)
    }

    private struct TargetOutcome {
        var response: TargetResponse
        var sum: Millimetres
        var complete: Bool
        /// A non-nodal target above 0 mm or a node at 10 mm or more was measured.
        var diseaseMeasured: Bool
        /// The response the thresholds alone give, before continuing PR.
        var arithmetic: TimePointResponse
    }

    private func targetResponse(date: CalendarDate, memory: Memory) -> TargetOutcome? {
        guard !targetIDs.isEmpty else { return nil }
        var sum = 0
        var missing = 0
        var diseaseMeasured = false
        for slot in targetIDs.indices {
            let diameter = targetDiameter[slot]
            guard reportedAt[slot] == stamp, diameter >= 0 else {
                missing += 1
                continue
            }
            sum += diameter
            if targetIsNode[slot] ? diameter >= Baseline.minimumPathologicalNodeShortAxis.hundredths : diameter > 0 {
                diseaseMeasured = true
            }
        }
        let nadir = memory.nadir
        let baselineSum = baseline.sumOfDiameters
        let total = Millimetres(hundredths: sum)
        let meetsProgression =
            5 * sum >= 6 * nadir.hundredths && sum - nadir.hundredths >= ResponseThreshold.progressionFloor
        let response: TargetResponse
        if missing > 0 {
            let missingIDs = missingTargets()
            response =
                meetsProgression
                ? TargetResponse(
                    response: .progressiveDisease,
                    rule: .progressionDespiteMissing(measuredSum: total, nadir: nadir, missing: missingIDs))
                : TargetResponse(
                    response: .notEvaluable, rule: .notEvaluable(measuredSum: total, nadir: nadir, missing: missingIDs))
        } else if meetsProgression {
            response = TargetResponse(response: .progressiveDisease, rule: .progression(sum: total, nadir: nadir))
        } else if !diseaseMeasured {
            response = TargetResponse(response: .completeResponse, rule: .complete(sum: total))
        } else if 10 * sum <= 7 * baselineSum.hundredths {
            response = TargetResponse(response: .partialResponse, rule: .partial(sum: total, baseline: baselineSum))
        } else if policy.continuingPartialResponse == .keepOnceEstablished,
            let established = memory.partialResponseEstablished
        {
            response = TargetResponse(
                response: .partialResponse,
                rule: .continuingPartial(sum: total, baseline: baselineSum, nadir: nadir, establishedOn: established))
        } else {
            response = TargetResponse(
                response: .stableDisease, rule: .stable(sum: total, baseline: baselineSum, nadir: nadir))
        }
        let arithmetic: TimePointResponse =
            if case .continuingPartial = response.rule { .stableDisease } else { response.response }
        return TargetOutcome(
            response: response, sum: total, complete: missing == 0, diseaseMeasured: diseaseMeasured,
            arithmetic: arithmetic)
    }

    private func missingTargets() -> [LesionID] {
        targetIDs.indices.filter { reportedAt[$0] != stamp || targetDiameter[$0] < 0 }.map { targetIDs[$0] }
    }

    private func nonTargetResponse() -> NonTargetResponse? {
        guard !nonTargetIDs.isEmpty else { return nil }
        var notEvaluated: LesionID?
        var present: LesionID?
        for position in nonTargetIDs.indices {
            let reported = reportedAt[targetIDs.count + position] == stamp
            switch reported ? nonTargetState[position] : .notEvaluable {
            case .unequivocalProgression:
                return NonTargetResponse(response: .progressiveDisease, rule: .progression(nonTargetIDs[position]))
            case .notEvaluable:
                if notEvaluated == nil { notEvaluated = nonTargetIDs[position] }
            case .present:
                if present == nil { present = nonTargetIDs[position] }
            case .absent:
                break
            }
        }
        if let notEvaluated { return NonTargetResponse(response: .notEvaluable, rule: .notEvaluated(notEvaluated)) }
        if let present { return NonTargetResponse(response: .nonCompleteNonProgression, rule: .persisting(present)) }
        return NonTargetResponse(response: .completeResponse, rule: .complete)
    }

    /// RECIST Table 1, for time points without PD.
    private static func table1(target: TimePointResponse, nonTarget: TimePointResponse?) -> TimePointResponse {
        switch target {
        case .completeResponse:
            nonTarget == nil || nonTarget == .completeResponse ? .completeResponse : .partialResponse
        case .partialResponse: .partialResponse
        case .stableDisease: .stableDisease
        default: .notEvaluable
        }
    }

    private func remember(
        date: CalendarDate, index: Int, target: TargetOutcome?, overall: TimePointResponse, memory: inout Memory
    ) {
        if let target {
            if target.complete, target.sum < memory.nadir { memory.nadir = target.sum }
            switch target.arithmetic {
            case .completeResponse, .partialResponse:
                let runStart = memory.responseRunStart ?? date
                memory.responseRunStart = runStart
                if memory.partialResponseEstablished == nil,
                    !policy.confirmationRequired || date.days(since: runStart) >= policy.minimumConfirmationInterval
                {
                    memory.partialResponseEstablished = runStart
                }
            case .notEvaluable:
                memory.notEvaluableInRun += 1
                if memory.notEvaluableInRun > 1 { memory.responseRunStart = nil }
            default:
                memory.responseRunStart = nil
            }
            if memory.responseRunStart == nil { memory.notEvaluableInRun = 0 }
        }
        switch overall {
        case .completeResponse:
            memory.lastCompleteResponse = date
        case .progressiveDisease:
            memory.lastCompleteResponse = nil
            memory.partialResponseEstablished = nil
            memory.responseRunStart = nil
            if memory.firstProgressionIndex == nil { memory.firstProgressionIndex = index }
        default:
            break
        }
    }
}

/// The fixed RECIST thresholds in hundredths of a millimetre.
enum ResponseThreshold {
    /// PD also needs an absolute increase of at least 5 mm over the nadir.
    static let progressionFloor = 500
}
