package sarif

// The subset of the SARIF 2.1.0 object model cookiescan writes. Structs (not maps)
// keep the key order fixed, so the output is byte-stable.

type log struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []run  `json:"runs"`
}

type run struct {
	Tool        tool          `json:"tool"`
	Invocations []invocation  `json:"invocations"`
	Results     []sarifResult `json:"results"`
	Properties  runProps      `json:"properties"`
}

type tool struct {
	Driver driver `json:"driver"`
}

type driver struct {
	Name            string                `json:"name"`
	Version         string                `json:"version,omitempty"`
	SemanticVersion string                `json:"semanticVersion,omitempty"`
	InformationURI  string                `json:"informationUri"`
	Rules           []reportingDescriptor `json:"rules"`
}

type reportingDescriptor struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     message        `json:"shortDescription"`
	FullDescription      *message       `json:"fullDescription,omitempty"`
	Help                 *help          `json:"help,omitempty"`
	DefaultConfiguration configuration  `json:"defaultConfiguration"`
	Properties           ruleProperties `json:"properties"`
}

type help struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown"`
}

type configuration struct {
	Level string `json:"level"`
}

type ruleProperties struct {
	// SecuritySeverity is what GitHub sorts security alerts by.
	SecuritySeverity string   `json:"security-severity"`
	Tags             []string `json:"tags"`
}

type message struct {
	Text string `json:"text"`
}

type invocation struct {
	ExecutionSuccessful        bool           `json:"executionSuccessful"`
	ToolExecutionNotifications []notification `json:"toolExecutionNotifications,omitempty"`
}

type notification struct {
	Level   string  `json:"level"`
	Message message `json:"message"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           *int              `json:"ruleIndex,omitempty"`
	Level               string            `json:"level"`
	Message             message           `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	// BaselineState: new, unchanged, updated or absent against --baseline.
	BaselineState string        `json:"baselineState,omitempty"`
	Suppressions  []suppression `json:"suppressions,omitempty"`
	Properties    resultProps   `json:"properties"`
}

// suppression is an ignore-file entry that accepted a result: SARIF viewers
// (GitHub code scanning among them) show such a result as dismissed.
type suppression struct {
	Kind          string `json:"kind"` // external: the ignore file, not the site's code
	Justification string `json:"justification"`
}

type sarifLocation struct {
	PhysicalLocation physicalLocation `json:"physicalLocation"`
}

type physicalLocation struct {
	ArtifactLocation artifactLocation `json:"artifactLocation"`
	Region           region           `json:"region"`
}

type artifactLocation struct {
	URI string `json:"uri"`
}

type region struct {
	StartLine int `json:"startLine"`
}

type resultProps struct {
	Severity string `json:"severity"`
	Cookie   string `json:"cookie,omitempty"`
	Evidence string `json:"evidence,omitempty"`
	Target   string `json:"target"`
	// ScoreImpact is the points the finding costs the target's score.
	ScoreImpact int `json:"scoreImpact"`
}

type runProps struct {
	Targets []targetProps `json:"targets"`
}

// targetProps keeps the grade of each target, which SARIF has no place for;
// grade and score are null when the target was not scanned (notScanned says why).
type targetProps struct {
	Target     string  `json:"target"`
	Grade      *string `json:"grade"`
	Score      *int    `json:"score"`
	NotScanned string  `json:"notScanned,omitempty"`
}
