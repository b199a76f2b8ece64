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
}
