/// SQL fragments every import format shares, so that a rule the imports apply is written once.
enum ImportRules {
    /// The therapy line in progress when an adverse event began: started on or before its onset and not
    /// stopped before it; of overlapping lines, the latest started. An AE is counted against the line the
    /// patient was on (`report ae`), and exports rarely say which that was.
    static func lineInProgress(patient: String, onset: String) -> String {
        """
        (SELECT t.therapy_line_id FROM therapy_lines t
         WHERE t.patient_id = \(patient) AND t.started_on <= \(onset) AND (t.stopped_on IS NULL OR t.stopped_on >= \(onset))
         ORDER BY t.started_on DESC, t.line_number DESC LIMIT 1)
        """
    }

    /// Why a row of a reader's series is quarantined when the series as it would stand is refused (`z` is the
    /// series' row of `sync_refused_series`): the engine's own words, as `response show` would give them.
    static let refusedSeriesReason = """
        'RECIST 1.1 refuses the series of ' || z.evaluator || ' with this export applied: ' || z.reason
            || CASE WHEN z.label IS NULL THEN '; none of the series'' rows in this export is applied'
                ELSE '; none of the rows of lesion ' || z.label || ' in this export is applied' END
        """
}
