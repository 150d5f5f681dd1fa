package monitor

import "time"

// The end-to-end tests scan a fixture every second or two; the documented
// minimum is tested on its own (TestConfigRefusesValuesThatFailLater).
func init() { minScheduleInterval = time.Second }

// SetRecordMargin shortens the time a scan job has beyond its scan timeout, so
// the soak test's rescue comes within seconds.
func SetRecordMargin(d time.Duration) { recordMargin = d }
