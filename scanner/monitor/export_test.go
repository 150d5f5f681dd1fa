package monitor

import "time"

// The end-to-end tests scan a fixture every second or two; the documented
// minimum is tested on its own (TestConfigRefusesValuesThatFailLater).
func init() { minScheduleInterval = time.Second }
