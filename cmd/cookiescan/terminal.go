package main

import "github.com/cookiescan/cookiescan/report/termsafe"

// errorLine is what main prints for an error. Messages echo site data (URLs,
// Location headers, server text): control characters show as escapes, the
// message's own line breaks stay.
func errorLine(err error) string { return "cookiescan: " + termsafe.String(err.Error()) }
