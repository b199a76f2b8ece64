extension AssessmentSchedules {
    /// Reads and validates a schedule object, the `schedule` of a trial definition or a site's default:
    ///
    /// ```json
    /// {"imaging": [{"every": {"weeks": 6}, "windowDays": 7, "for": {"weeks": 48}},
    ///              {"every": {"weeks": 12}, "windowDays": 7}],
    ///  "survival": [{"every": {"months": 3}, "windowDays": 14}]}
    /// ```
    ///
    /// - Parameter path: the field path of the object, e.g. `schedule`, for errors.
    /// - Throws: the first problem, naming the field by its path and the value found there.
    public init(document: DefinitionValue, path: String) throws(RegistryInputError) {
        let root = try DefinitionObject(document, path: path, allowed: ["imaging", "survival"])
        let imaging = try Self.schedule(root, "imaging")
        let survival = try Self.schedule(root, "survival")
        guard imaging != nil || survival != nil else { throw .missing(field: root.field("imaging")) }
        self.init(imaging: imaging, survival: survival)
    }

    static func schedule(_ root: DefinitionObject, _ key: String) throws(RegistryInputError) -> VisitSchedule? {
        guard root.has(key) else { return nil }
        let items = try root.array(key)
        guard !items.isEmpty else { throw .missing(field: Field(path: "\(root.field(key))[0]")) }
        var phases: [SchedulePhase] = []
        for (position, item) in items.enumerated() {
            let phase = try DefinitionObject(item.value, path: item.path, allowed: ["every", "windowDays", "for"])
            guard let everyObject = try phase.object("every", allowed: ["days", "weeks", "months"]) else {
                throw .missing(field: phase.field("every"))
            }
            let every = try span(everyObject)
            let window = try phase.integer("windowDays", range: 0...90)
            // Windows of neighbouring visits must not touch, or one visit could count for two.
            guard 2 * window < every.dayRange.lowerBound else {
                throw .outOfRange(
                    field: phase.field("windowDays"), value: String(window),
                    range:
                        "less than half the interval of \(every) (at most \((every.dayRange.lowerBound - 1) / 2) days)")
            }
            let duration = try phase.object("for", allowed: ["days", "weeks", "months"])
                .map { object throws(RegistryInputError) in try span(object) }
            if let duration, duration.dayRange.lowerBound < every.dayRange.upperBound {
                throw .outOfRange(
                    field: phase.field("for"), value: duration.description, range: "at least the interval of \(every)")
            }
            if duration == nil, position < items.count - 1 {
                throw .missing(field: phase.field("for"))
            }
            phases.append(SchedulePhase(every: every, windowDays: window, duration: duration))
        }
        return VisitSchedule(phases: phases)
    }

    /// A span written with exactly one of `days`, `weeks` or `months`, each at most two years.
    static func span(_ object: DefinitionObject) throws(RegistryInputError) -> ScheduleSpan {
        let days = try object.optionalInteger("days", range: 1...730)
        let weeks = try object.optionalInteger("weeks", range: 1...104)
        let months = try object.optionalInteger("months", range: 1...24)
        switch (days, weeks, months) {
        case (let days?, nil, nil): return .days(days)
        case (nil, let weeks?, nil): return .days(7 * weeks)
        case (nil, nil, let months?): return .months(months)
        case (nil, nil, nil): throw .missing(field: object.field("weeks"))
        default:
            throw .notAllowed(
                field: Field(path: object.path), value: "{…}", allowed: "exactly one of days, weeks, months")
        }
    }
}
