package rules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cookiescan/cookiescan/scanner/result"
	"github.com/cookiescan/cookiescan/scanner/rules"
)

const (
	httpURL = "http://www.example.com/"
	// hex32 are 32-hex identifiers under neutral names; both have >= 3.5 bits/char.
	hex32a = "0123456789abcdef0123456789abcdef"
	hex32b = "9f86d081884c7d659a2feaa0c55ad015"
	// deletedPHP is how PHP deletes its session cookie.
	deletedPHP = "PHPSESSID=deleted; expires=Thu, 01-Jan-1970 00:00:01 GMT; Max-Age=0; path=/"
)

// in renders an Expires attribute at now+d.
func in(d time.Duration) string { return "Expires=" + httpDate(d) }

func cookieCases() map[string]cookieCase {
	long := func(n int) string { return strings.Repeat("a", n) }
	return map[string]cookieCase{
		// cookie-missing-secure: session-like high (medium under HSTS includeSubDomains); others low.
		"missing-secure/django session":                             {rule: "cookie-missing-secure", want: high, line: "sessionid=abc; HttpOnly; SameSite=Lax; Path=/"},
		"missing-secure/session under HSTS includeSubDomains":       {rule: "cookie-missing-secure", want: medium, line: "sessionid=abc; HttpOnly; SameSite=Lax", covers: true},
		"missing-secure/PHPSESSID under HSTS includeSubDomains":     {rule: "cookie-missing-secure", want: medium, line: "PHPSESSID=abc; path=/", covers: true},
		"missing-secure/high-entropy value":                         {rule: "cookie-missing-secure", want: high, line: "uid=" + hex32a + "; HttpOnly; SameSite=Lax"},
		"missing-secure/set at login":                               {rule: "cookie-missing-secure", want: high, line: "prefs=1; HttpOnly; SameSite=Lax", login: true},
		"missing-secure/preference cookie":                          {rule: "cookie-missing-secure", want: low, line: "theme=dark; SameSite=Lax"},
		"missing-secure/csrf cookie is 'other'":                     {rule: "cookie-missing-secure", want: low, line: "csrftoken=abc; SameSite=Lax"},
		"missing-secure/analytics":                                  {rule: "cookie-missing-secure", want: low, line: "_ga=GA1.1.1234567890.1700000000; Max-Age=63072000; SameSite=Lax"},
		"missing-secure/not with Secure":                            {rule: "cookie-missing-secure", want: none, line: "sessionid=abc; Secure; HttpOnly; SameSite=Lax"},
		"missing-secure/not with lower-case secure":                 {rule: "cookie-missing-secure", want: none, line: "theme=dark; secure"},
		"missing-secure/not on a Max-Age=0 deletion":                {rule: "cookie-missing-secure", want: none, line: "sessionid=; Max-Age=0; Path=/"},
		"missing-secure/not on an Expires-in-the-past deletion":     {rule: "cookie-missing-secure", want: none, line: "sessionid=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT"},
		"missing-secure/not on PHP's deletion":                      {rule: "cookie-missing-secure", want: none, line: deletedPHP},
		"missing-secure/not over plain http (cookie-set-over-http)": {rule: "cookie-missing-secure", want: none, line: "sessionid=abc", url: httpURL},
		"missing-secure/not on a rejected __Secure- cookie":         {rule: "cookie-missing-secure", want: none, line: "__Secure-sid=abc; HttpOnly"},
		"missing-secure/not on a rejected SameSite=None":            {rule: "cookie-missing-secure", want: none, line: "sid=abc; SameSite=None"},

		// cookie-set-over-http: session-like medium, others low.
		"set-over-http/session": {rule: "cookie-set-over-http", want: medium, line: "sessionid=abc; HttpOnly", url: httpURL},
		// Chromium refuses a Secure cookie from http:// (SecureOnly): nothing is set.
		"set-over-http/not on a session cookie with Secure": {rule: "cookie-set-over-http", want: none, line: "JSESSIONID=abc; Secure; HttpOnly", url: httpURL},
		"rejected/Secure over http (SecureOnly)":            {rule: "cookie-rejected-by-browser", want: low, line: "JSESSIONID=abc; Secure; HttpOnly", url: httpURL},
		"prefix/__Secure- over http (InvalidPrefix)":        {rule: "cookie-prefix-violation", want: medium, line: "__Secure-sid=abc; Secure; HttpOnly", url: httpURL},
		"prefix/__Host- over http (InvalidPrefix)":          {rule: "cookie-prefix-violation", want: medium, line: "__Host-sid=abc; Secure; HttpOnly; Path=/", url: httpURL},
		"set-over-http/set at login":                        {rule: "cookie-set-over-http", want: medium, line: "prefs=1", url: httpURL, login: true},
		"set-over-http/load-balancer affinity stays low":    {rule: "cookie-set-over-http", want: low, line: "lb=node1; Path=/", url: httpURL},
		"set-over-http/csrf":                                {rule: "cookie-set-over-http", want: low, line: "csrftoken=abc", url: httpURL},
		"set-over-http/not over https":                      {rule: "cookie-set-over-http", want: none, line: "sessionid=abc"},
		"set-over-http/not over https on another port":      {rule: "cookie-set-over-http", want: none, line: "lb=node1", url: "https://www.example.com:8443/"},
		"set-over-http/not on a deletion":                   {rule: "cookie-set-over-http", want: none, line: "sessionid=; Max-Age=0", url: httpURL},
		"set-over-http/not on a rejected line":              {rule: "cookie-set-over-http", want: none, line: "__Secure-sid=abc", url: httpURL},

		// cookie-missing-httponly: session-like medium; csrf and others info.
		"missing-httponly/session":                      {rule: "cookie-missing-httponly", want: medium, line: "sessionid=abc; Secure; SameSite=Lax"},
		"missing-httponly/remember token":               {rule: "cookie-missing-httponly", want: medium, line: "remember_token=abc; Secure; SameSite=Lax"},
		"missing-httponly/csrftoken is only info":       {rule: "cookie-missing-httponly", want: info, line: "csrftoken=abc; Secure; SameSite=Lax"},
		"missing-httponly/XSRF-TOKEN is only info":      {rule: "cookie-missing-httponly", want: info, line: "XSRF-TOKEN=abc; Secure; SameSite=Lax; Path=/"},
		"missing-httponly/antiforgery is only info":     {rule: "cookie-missing-httponly", want: info, line: ".AspNetCore.Antiforgery.Xyz=abc; Secure; SameSite=Strict"},
		"missing-httponly/preference is only info":      {rule: "cookie-missing-httponly", want: info, line: "theme=dark; Secure; SameSite=Lax"},
		"missing-httponly/not with HttpOnly":            {rule: "cookie-missing-httponly", want: none, line: "sessionid=abc; Secure; HttpOnly; SameSite=Lax"},
		"missing-httponly/not with lower-case httponly": {rule: "cookie-missing-httponly", want: none, line: "sessionid=abc; Secure; httponly"},
		"missing-httponly/not on a deletion":            {rule: "cookie-missing-httponly", want: none, line: deletedPHP},
		"missing-httponly/not on a rejected line":       {rule: "cookie-missing-httponly", want: none, line: "sid=abc; SameSite=None"},

		// cookie-missing-samesite: session-like or csrf low; others info.
		"missing-samesite/session":                                      {rule: "cookie-missing-samesite", want: low, line: "sessionid=abc; Secure; HttpOnly"},
		"missing-samesite/csrftoken":                                    {rule: "cookie-missing-samesite", want: low, line: "csrftoken=abc; Secure"},
		"missing-samesite/XSRF-TOKEN":                                   {rule: "cookie-missing-samesite", want: low, line: "XSRF-TOKEN=abc; Secure"},
		"missing-samesite/preference":                                   {rule: "cookie-missing-samesite", want: info, line: "theme=dark; Secure"},
		"missing-samesite/not with Lax":                                 {rule: "cookie-missing-samesite", want: none, line: "sessionid=abc; Secure; HttpOnly; SameSite=Lax"},
		"missing-samesite/not with strict":                              {rule: "cookie-missing-samesite", want: none, line: "sessionid=abc; Secure; HttpOnly; samesite=strict"},
		"missing-samesite/not with an invalid value (samesite-invalid)": {rule: "cookie-missing-samesite", want: none, line: "sessionid=abc; Secure; HttpOnly; SameSite=true"},
		"missing-samesite/not with None; Secure":                        {rule: "cookie-missing-samesite", want: none, line: "widget=1; Secure; SameSite=None"},
		"missing-samesite/not on a deletion":                            {rule: "cookie-missing-samesite", want: none, line: "sessionid=; Max-Age=-1"},

		// cookie-samesite-none: SameSite=None with Secure, info only.
		"samesite-none/embed widget":                  {rule: "cookie-samesite-none", want: info, line: "widget=1; Secure; SameSite=None"},
		"samesite-none/session, lower-case none":      {rule: "cookie-samesite-none", want: info, line: "sessionid=abc; Secure; HttpOnly; SameSite=none"},
		"samesite-none/partitioned":                   {rule: "cookie-samesite-none", want: info, line: "embed=1; SameSite=NONE; Secure; Partitioned"},
		"samesite-none/not without Secure (rejected)": {rule: "cookie-samesite-none", want: none, line: "widget=1; SameSite=None"},
		"samesite-none/not with Lax":                  {rule: "cookie-samesite-none", want: none, line: "widget=1; Secure; SameSite=Lax"},
		"samesite-none/not with Nonee":                {rule: "cookie-samesite-none", want: none, line: "widget=1; Secure; SameSite=Nonee"},
		"samesite-none/not on a deletion":             {rule: "cookie-samesite-none", want: none, line: "widget=; Secure; SameSite=None; Max-Age=0"},

		// cookie-samesite-none-insecure: SameSite=None without Secure, medium.
		"samesite-none-insecure/session": {rule: "cookie-samesite-none-insecure", want: medium, line: "sid=abc; SameSite=None; HttpOnly"},
		"samesite-none-insecure/widget":  {rule: "cookie-samesite-none-insecure", want: medium, line: "widget=1; samesite=none"},
		// Chromium drops a Partitioned cookie without Secure before it looks at SameSite.
		"samesite-none-insecure/not when also Partitioned":    {rule: "cookie-samesite-none-insecure", want: none, line: "embed=1; SameSite=None; Partitioned"},
		"samesite-none-insecure/over http":                    {rule: "cookie-samesite-none-insecure", want: medium, line: "widget=1; SameSite=None", url: httpURL},
		"samesite-none-insecure/not with Secure":              {rule: "cookie-samesite-none-insecure", want: none, line: "widget=1; SameSite=None; Secure"},
		"samesite-none-insecure/not with Lax":                 {rule: "cookie-samesite-none-insecure", want: none, line: "widget=1; SameSite=Lax"},
		"samesite-none-insecure/not on a __Secure- violation": {rule: "cookie-samesite-none-insecure", want: none, line: "__Secure-w=1; SameSite=None"},
		"samesite-none-insecure/not when Lax wins":            {rule: "cookie-samesite-none-insecure", want: none, line: "widget=1; SameSite=None; SameSite=Lax"},

		// cookie-samesite-invalid: a value other than Strict/Lax/None.
		"samesite-invalid/true":              {rule: "cookie-samesite-invalid", want: low, line: "x=1; Secure; SameSite=true"},
		"samesite-invalid/empty":             {rule: "cookie-samesite-invalid", want: low, line: "x=1; Secure; SameSite="},
		"samesite-invalid/bare attribute":    {rule: "cookie-samesite-invalid", want: low, line: "x=1; Secure; SameSite"},
		"samesite-invalid/session, Relaxed":  {rule: "cookie-samesite-invalid", want: low, line: "sessionid=abc; Secure; HttpOnly; SameSite=Relaxed"},
		"samesite-invalid/last one invalid":  {rule: "cookie-samesite-invalid", want: low, line: "x=1; Secure; SameSite=Lax; SameSite=bogus"},
		"samesite-invalid/not on lax":        {rule: "cookie-samesite-invalid", want: none, line: "x=1; Secure; SameSite=lax"},
		"samesite-invalid/not on STRICT":     {rule: "cookie-samesite-invalid", want: none, line: "x=1; Secure; SameSite=STRICT"},
		"samesite-invalid/not when absent":   {rule: "cookie-samesite-invalid", want: none, line: "x=1; Secure"},
		"samesite-invalid/not on a deletion": {rule: "cookie-samesite-invalid", want: none, line: "x=; Secure; SameSite=true; Max-Age=0"},

		// cookie-prefix-violation: __Secure-/__Host- rules, case-insensitive.
		"prefix/__Secure- without Secure":                  {rule: "cookie-prefix-violation", want: medium, line: "__Secure-id=1; HttpOnly"},
		"prefix/__Host- with Domain":                       {rule: "cookie-prefix-violation", want: medium, line: "__Host-id=1; Secure; Path=/; Domain=www.example.com"},
		"prefix/__Host- without Path":                      {rule: "cookie-prefix-violation", want: medium, line: "__Host-id=1; Secure"},
		"prefix/__Host- with Path=/app":                    {rule: "cookie-prefix-violation", want: medium, line: "__Host-id=1; Secure; Path=/app"},
		"prefix/__HOST- upper case without Secure":         {rule: "cookie-prefix-violation", want: medium, line: "__HOST-id=1; Path=/"},
		"prefix/nameless cookie posing as __Secure-":       {rule: "cookie-prefix-violation", want: medium, line: "__Secure-id; Secure"},
		"prefix/not on __Secure- with Secure":              {rule: "cookie-prefix-violation", want: none, line: "__Secure-id=1; Secure; HttpOnly"},
		"prefix/not on __Host- done right":                 {rule: "cookie-prefix-violation", want: none, line: "__Host-id=1; Secure; Path=/; HttpOnly"},
		"prefix/not on a single underscore":                {rule: "cookie-prefix-violation", want: none, line: "_Secure-id=1"},
		"prefix/not on a prefix in a named cookie's value": {rule: "cookie-prefix-violation", want: none, line: "x=__Host-abc; Secure"},

		// cookie-domain-broad: Domain a strict parent of the host; session-like low, others info.
		"domain-broad/preference":                       {rule: "cookie-domain-broad", want: info, line: "x=1; Secure; Domain=example.com"},
		"domain-broad/session with leading dot":         {rule: "cookie-domain-broad", want: low, line: "sessionid=abc; Secure; HttpOnly; Domain=.example.com"},
		"domain-broad/upper case":                       {rule: "cookie-domain-broad", want: info, line: "x=1; Secure; domain=EXAMPLE.COM"},
		"domain-broad/under a two-label suffix":         {rule: "cookie-domain-broad", want: info, line: "x=1; Secure; Domain=example.co.uk", url: "https://a.b.example.co.uk/"},
		"domain-broad/not without Domain":               {rule: "cookie-domain-broad", want: none, line: "x=1; Secure"},
		"domain-broad/not on Domain = host":             {rule: "cookie-domain-broad", want: none, line: "x=1; Secure; Domain=www.example.com"},
		"domain-broad/not on another domain (invalid)":  {rule: "cookie-domain-broad", want: none, line: "x=1; Secure; Domain=example.org"},
		"domain-broad/not on a public suffix (invalid)": {rule: "cookie-domain-broad", want: none, line: "x=1; Secure; Domain=com"},
		"domain-broad/not on a deletion":                {rule: "cookie-domain-broad", want: none, line: "sessionid=; Domain=example.com; Max-Age=0"},

		// cookie-domain-invalid: Domain does not match the host or is a public suffix.
		"domain-invalid/other domain":                  {rule: "cookie-domain-invalid", want: low, line: "x=1; Secure; Domain=example.org"},
		"domain-invalid/public suffix com":             {rule: "cookie-domain-invalid", want: low, line: "x=1; Secure; Domain=com"},
		"domain-invalid/public suffix co.uk":           {rule: "cookie-domain-invalid", want: low, line: "x=1; Secure; Domain=co.uk", url: "https://www.example.co.uk/"},
		"domain-invalid/private suffix github.io":      {rule: "cookie-domain-invalid", want: low, line: "x=1; Secure; Domain=github.io", url: "https://me.github.io/"},
		"domain-invalid/suffix without a dot boundary": {rule: "cookie-domain-invalid", want: low, line: "x=1; Secure; Domain=ample.com"},
		"domain-invalid/name on an IP host":            {rule: "cookie-domain-invalid", want: low, line: "x=1; Secure; Domain=example.com", url: "https://192.0.2.1/"},
		"domain-invalid/not on a parent":               {rule: "cookie-domain-invalid", want: none, line: "x=1; Secure; Domain=example.com"},
		"domain-invalid/not on the host":               {rule: "cookie-domain-invalid", want: none, line: "x=1; Secure; Domain=WWW.example.com"},
		"domain-invalid/not on an empty Domain":        {rule: "cookie-domain-invalid", want: none, line: "x=1; Secure; Domain="},
		"domain-invalid/not on the IP itself":          {rule: "cookie-domain-invalid", want: none, line: "x=1; Secure; Domain=192.0.2.1", url: "https://192.0.2.1/"},
		// Chromium refuses the deletion (InvalidDomain): it deletes nothing.
		"domain-invalid/a deletion with a foreign Domain": {rule: "cookie-domain-invalid", want: low, line: "x=; Domain=example.org; Max-Age=0"},

		// session-cookie-persistent: > 7 days medium, > 1 day low, else info; remember-me info.
		"persistent/Django two weeks":                   {rule: "session-cookie-persistent", want: medium, line: "sessionid=abc; Secure; HttpOnly; SameSite=Lax; Max-Age=1209600"},
		"persistent/Expires in 30 days":                 {rule: "session-cookie-persistent", want: medium, line: "sessionid=abc; Secure; HttpOnly; " + in(30*day)},
		"persistent/7 days and 1 second":                {rule: "session-cookie-persistent", want: medium, line: "sid=abc; Secure; HttpOnly; Max-Age=604801"},
		"persistent/exactly 7 days":                     {rule: "session-cookie-persistent", want: low, line: "sid=abc; Secure; HttpOnly; Max-Age=604800"},
		"persistent/2 days":                             {rule: "session-cookie-persistent", want: low, line: "sid=abc; Secure; HttpOnly; Max-Age=172800"},
		"persistent/exactly 1 day":                      {rule: "session-cookie-persistent", want: info, line: "sid=abc; Secure; HttpOnly; Max-Age=86400"},
		"persistent/Laravel two hours":                  {rule: "session-cookie-persistent", want: info, line: "laravel_session=abc; Secure; HttpOnly; " + in(2*time.Hour)},
		"persistent/remember-me one year":               {rule: "session-cookie-persistent", want: info, line: "remember_web_59ba36=abc; Secure; HttpOnly; Max-Age=31536000"},
		"persistent/Spring remember-me":                 {rule: "session-cookie-persistent", want: info, line: "remember-me=abc; Secure; HttpOnly; Max-Age=1209600"},
		"persistent/not on a browser-session cookie":    {rule: "session-cookie-persistent", want: none, line: "sessionid=abc; Secure; HttpOnly"},
		"persistent/not on a long-lived preference":     {rule: "session-cookie-persistent", want: none, line: "theme=dark; Secure; Max-Age=31536000"},
		"persistent/not on Django's csrftoken (a year)": {rule: "session-cookie-persistent", want: none, line: "csrftoken=abc; Secure; Max-Age=31449600"},
		"persistent/not on analytics":                   {rule: "session-cookie-persistent", want: none, line: "_ga=GA1.1.1234567890.1700000000; Max-Age=63072000"},
		"persistent/not on a deletion":                  {rule: "session-cookie-persistent", want: none, line: "sessionid=; Max-Age=0"},
		"persistent/not when Max-Age is unparseable":    {rule: "session-cookie-persistent", want: none, line: "sessionid=abc; Secure; HttpOnly; Max-Age=1h"},

		// cookie-lifetime-over-400d: beyond 400 days.
		"over-400d/analytics two years":     {rule: "cookie-lifetime-over-400d", want: info, line: "_ga=GA1.1.1234567890.1700000000; Max-Age=63072000"},
		"over-400d/400 days and 1 second":   {rule: "cookie-lifetime-over-400d", want: info, line: "x=1; Secure; Max-Age=34560001"},
		"over-400d/Expires in 2030":         {rule: "cookie-lifetime-over-400d", want: info, line: "x=1; Secure; Expires=Tue, 01 Jan 2030 00:00:00 GMT"},
		"over-400d/session ten years":       {rule: "cookie-lifetime-over-400d", want: info, line: "sessionid=abc; Secure; HttpOnly; Max-Age=315360000"},
		"over-400d/not at exactly 400 days": {rule: "cookie-lifetime-over-400d", want: none, line: "x=1; Secure; Max-Age=34560000"},
		"over-400d/not at one year":         {rule: "cookie-lifetime-over-400d", want: none, line: "x=1; Secure; Max-Age=31536000"},
		"over-400d/not without expiry":      {rule: "cookie-lifetime-over-400d", want: none, line: "x=1; Secure"},
		"over-400d/not on a deletion":       {rule: "cookie-lifetime-over-400d", want: none, line: "x=; Max-Age=-315360000"},

		// cookie-expiry-unparseable: Expires or Max-Age not parseable.
		"expiry-unparseable/Expires=tomorrow":      {rule: "cookie-expiry-unparseable", want: info, line: "x=1; Secure; Expires=tomorrow"},
		"expiry-unparseable/ISO 8601 Expires":      {rule: "cookie-expiry-unparseable", want: info, line: "x=1; Secure; Expires=2027-12-01T00:00:00Z"},
		"expiry-unparseable/Max-Age=1h":            {rule: "cookie-expiry-unparseable", want: info, line: "x=1; Secure; Max-Age=1h"},
		"expiry-unparseable/quoted Max-Age":        {rule: "cookie-expiry-unparseable", want: info, line: `x=1; Secure; Max-Age="3600"`},
		"expiry-unparseable/empty Max-Age":         {rule: "cookie-expiry-unparseable", want: info, line: "x=1; Secure; Max-Age="},
		"expiry-unparseable/not on IMF-fixdate":    {rule: "cookie-expiry-unparseable", want: none, line: "x=1; Secure; Expires=Thu, 21 Oct 2027 07:28:00 GMT"},
		"expiry-unparseable/not on RFC 850":        {rule: "cookie-expiry-unparseable", want: none, line: "x=1; Secure; Expires=Thursday, 21-Oct-27 07:28:00 GMT"},
		"expiry-unparseable/not on asctime":        {rule: "cookie-expiry-unparseable", want: none, line: "x=1; Secure; Expires=Thu Oct 21 07:28:00 2027"},
		"expiry-unparseable/not on Max-Age digits": {rule: "cookie-expiry-unparseable", want: none, line: "x=1; Secure; Max-Age=3600"},
		"expiry-unparseable/not on a deletion":     {rule: "cookie-expiry-unparseable", want: none, line: "x=; Expires=junk; Max-Age=0"},

		// cookie-duplicate-attribute: the same attribute twice.
		"duplicate/Secure twice":                       {rule: "cookie-duplicate-attribute", want: info, line: "x=1; Secure; Secure"},
		"duplicate/Path twice, different":              {rule: "cookie-duplicate-attribute", want: info, line: "x=1; Secure; Path=/; Path=/a"},
		"duplicate/SameSite differing in case of name": {rule: "cookie-duplicate-attribute", want: info, line: "x=1; Secure; SameSite=Lax; samesite=Strict"},
		"duplicate/HttpOnly twice":                     {rule: "cookie-duplicate-attribute", want: info, line: "sessionid=abc; Secure; HttpOnly; httponly"},
		"duplicate/not on distinct attributes":         {rule: "cookie-duplicate-attribute", want: none, line: "x=1; Secure; HttpOnly; Path=/; SameSite=Lax"},
		"duplicate/not on stray semicolons":            {rule: "cookie-duplicate-attribute", want: none, line: "x=1; Secure;; ; Path=/;"},
		"duplicate/not on a deletion":                  {rule: "cookie-duplicate-attribute", want: none, line: "x=; Path=/; Path=/; Max-Age=0"},

		// cookie-too-large: name+value > 4096 or an attribute > 1024.
		"too-large/name+value 4097":                         {rule: "cookie-too-large", want: low, line: "x=" + long(4096) + "; Secure"},
		"too-large/session name+value 5000":                 {rule: "cookie-too-large", want: low, line: "sessionid=" + long(5000) + "; Secure; HttpOnly"},
		"too-large/Path 1025":                               {rule: "cookie-too-large", want: low, line: "x=1; Secure; Path=/" + long(1024)},
		"too-large/unknown attribute 1025":                  {rule: "cookie-too-large", want: low, line: "x=1; Secure; Comment=" + long(1025)},
		"too-large/not at name+value 4096":                  {rule: "cookie-too-large", want: none, line: "x=" + long(4095) + "; Secure"},
		"too-large/not at an attribute of 1024":             {rule: "cookie-too-large", want: none, line: "x=1; Secure; Path=/" + long(1023)},
		"too-large/not on a deletion with a long attribute": {rule: "cookie-too-large", want: none, line: "x=; Max-Age=0; Path=/" + long(2000)},

		// cookie-partitioned-insecure: Partitioned without Secure.
		"partitioned/bare":                                     {rule: "cookie-partitioned-insecure", want: low, line: "embed=1; Partitioned"},
		"partitioned/with Lax":                                 {rule: "cookie-partitioned-insecure", want: low, line: "embed=1; Partitioned; SameSite=Lax; HttpOnly"},
		"partitioned/lower case":                               {rule: "cookie-partitioned-insecure", want: low, line: "embed=1; partitioned; Path=/"},
		"partitioned/over http":                                {rule: "cookie-partitioned-insecure", want: low, line: "embed=1; Partitioned", url: httpURL},
		"partitioned/not with Secure":                          {rule: "cookie-partitioned-insecure", want: none, line: "embed=1; Partitioned; Secure"},
		"partitioned/not with None; Secure":                    {rule: "cookie-partitioned-insecure", want: none, line: "embed=1; Secure; Partitioned; SameSite=None"},
		"partitioned/also SameSite=None":                       {rule: "cookie-partitioned-insecure", want: low, line: "embed=1; Partitioned; SameSite=None"},
		"partitioned/not when the prefix is the stated reason": {rule: "cookie-partitioned-insecure", want: none, line: "__Host-embed=1; Partitioned; Path=/"},

		// cookie-rejected-by-browser: dropped for a reason not covered above.
		"rejected/control character":                           {rule: "cookie-rejected-by-browser", want: low, line: "x=a\x01b; Secure"},
		"rejected/DEL":                                         {rule: "cookie-rejected-by-browser", want: low, line: "x=ab\x7f; Secure"},
		"rejected/empty name and value":                        {rule: "cookie-rejected-by-browser", want: low, line: "=; Secure"},
		"domain-invalid/non-ASCII Domain":                      {rule: "cookie-domain-invalid", want: low, line: "x=1; Secure; Domain=exämple.com"},
		"rejected/not on a valid cookie":                       {rule: "cookie-rejected-by-browser", want: none, line: "x=1; Secure"},
		"rejected/not on a nameless cookie":                    {rule: "cookie-rejected-by-browser", want: none, line: "=abc; Secure"},
		"rejected/a tab in the value (DisallowedCharacter)":    {rule: "cookie-rejected-by-browser", want: low, line: "x=a\tb; Secure"},
		"rejected/not on a tab around the value":               {rule: "cookie-rejected-by-browser", want: none, line: "x=\tab\t; Secure"},
		"rejected/Partitioned Secure over http":                {rule: "cookie-rejected-by-browser", want: low, line: "embed=1; Partitioned; Secure", url: httpURL},
		"rejected/not when the prefix is the stated reason":    {rule: "cookie-rejected-by-browser", want: none, line: "__Secure-x=1"},
		"rejected/not when SameSite=None is the stated reason": {rule: "cookie-rejected-by-browser", want: none, line: "x=1; SameSite=None"},

		// session-cookie-no-host-prefix: session cookie not named __Host-.
		"no-host-prefix/django":                  {rule: "session-cookie-no-host-prefix", want: info, line: "sessionid=abc; Secure; HttpOnly; SameSite=Lax"},
		"no-host-prefix/__Secure- is not enough": {rule: "session-cookie-no-host-prefix", want: info, line: "__Secure-sid=abc; Secure; HttpOnly"},
		"no-host-prefix/auth":                    {rule: "session-cookie-no-host-prefix", want: info, line: "auth=abc; Secure; HttpOnly"},
		"no-host-prefix/high-entropy value":      {rule: "session-cookie-no-host-prefix", want: info, line: "uid=" + hex32b + "; Secure; HttpOnly"},
		"no-host-prefix/not on __Host-":          {rule: "session-cookie-no-host-prefix", want: none, line: "__Host-sid=abc; Secure; Path=/; HttpOnly"},
		"no-host-prefix/not on a preference":     {rule: "session-cookie-no-host-prefix", want: none, line: "theme=dark; Secure"},
		"no-host-prefix/not on csrftoken":        {rule: "session-cookie-no-host-prefix", want: none, line: "csrftoken=abc; Secure"},
		"no-host-prefix/not on a deletion":       {rule: "session-cookie-no-host-prefix", want: none, line: "sessionid=; Max-Age=0"},

		// framework-default-session-name.
		"framework/sessionid":                    {rule: "framework-default-session-name", want: info, line: "sessionid=abc; Secure; HttpOnly"},
		"framework/PHPSESSID":                    {rule: "framework-default-session-name", want: info, line: "PHPSESSID=abc; Secure; HttpOnly"},
		"framework/JSESSIONID":                   {rule: "framework-default-session-name", want: info, line: "JSESSIONID=abc; Secure; HttpOnly"},
		"framework/connect.sid":                  {rule: "framework-default-session-name", want: info, line: "connect.sid=s%3Aabc; Secure; HttpOnly"},
		"framework/laravel_session":              {rule: "framework-default-session-name", want: info, line: "laravel_session=abc; Secure; HttpOnly"},
		"framework/rails _myapp_session":         {rule: "framework-default-session-name", want: info, line: "_myapp_session=abc; Secure; HttpOnly"},
		"framework/.AspNetCore.Session":          {rule: "framework-default-session-name", want: info, line: ".AspNetCore.Session=abc; Secure; HttpOnly"},
		"framework/ASP.NET_SessionId":            {rule: "framework-default-session-name", want: info, line: "ASP.NET_SessionId=abc; Secure; HttpOnly"},
		"framework/not on a custom session name": {rule: "framework-default-session-name", want: none, line: "mysess=abc; Secure; HttpOnly"},
		"framework/not on a neutral __Host- id":  {rule: "framework-default-session-name", want: none, line: "__Host-id=" + hex32a + "; Secure; Path=/; HttpOnly"},
		"framework/not on csrftoken":             {rule: "framework-default-session-name", want: none, line: "csrftoken=abc; Secure"},
		"framework/not on antiforgery":           {rule: "framework-default-session-name", want: none, line: ".AspNetCore.Antiforgery.Xyz=abc; Secure; HttpOnly"},
		"framework/not on PHP's deletion":        {rule: "framework-default-session-name", want: none, line: deletedPHP},
	}
}

func TestCookieRules(t *testing.T) { runCookieCases(t, cookieCases()) }

// The report shows the line, never the secret.
func TestCookieEvidenceRedacted(t *testing.T) {
	secret := "s3cr3tV4lu3-0123456789abcdef"
	for _, line := range []string{"sessionid=" + secret, "sessionid=" + secret + "; SameSite=None", "x=" + secret + "\x01"} {
		fs := rules.CookieFindings(parse(line), rules.CookieContext{URL: mustURL(cookieHost), Status: 200, Date: now})
		if len(fs) == 0 {
			t.Fatalf("%q: no findings", line)
		}
		for _, f := range fs {
			if strings.Contains(f.Evidence, secret) || strings.Contains(f.Detail, secret) {
				t.Errorf("%s leaks the value: %q / %q", f.Rule, f.Evidence, f.Detail)
			}
			if !strings.Contains(f.Evidence, "GET "+cookieHost+" → 200") {
				t.Errorf("%s: evidence does not say where: %q", f.Rule, f.Evidence)
			}
		}
	}
}

// The deletion-date arithmetic uses the response's Date, not the scan clock.
func TestCookieDeletedRelativeToResponseDate(t *testing.T) {
	line := "sessionid=abc; Expires=" + httpDate(-time.Hour)
	ctx := rules.CookieContext{URL: mustURL(cookieHost), Status: 200, Date: now}
	if fs := rules.CookieFindings(parse(line), ctx); len(fs) != 0 {
		t.Errorf("Expires an hour before the response: %s, want nothing (deleted)", render(fs))
	}
	ctx.Date = now.Add(-2 * time.Hour)
	fs := rules.CookieFindings(parse(line), ctx)
	expectRule(t, fs, "session-cookie-persistent", info)
	expectRule(t, fs, "cookie-missing-secure", high)
}

// Evaluate judges Set-Cookie lines on every hop, with HSTS coverage taken from the page.
func TestEvaluateHopCookies(t *testing.T) {
	session := "sessionid=abc; HttpOnly; SameSite=Lax"
	pageSetting := func(pageHSTS string) rules.Observation {
		return observe(goodHTTP(), chain(withCookies(hop(targetURL, 200, "", pageHSTS), session)))
	}
	tests := map[string]struct {
		o    rules.Observation
		rule string
		want result.Severity
	}{
		"HSTS with includeSubDomains lowers missing Secure": {pageSetting(goodHSTS), "cookie-missing-secure", medium},
		"HSTS without includeSubDomains does not":           {pageSetting("max-age=31536000"), "cookie-missing-secure", high},
		"invalid HSTS does not":                             {pageSetting("max-age=x; includeSubDomains"), "cookie-missing-secure", high},
		"HSTS max-age=0 does not":                           {pageSetting("max-age=0; includeSubDomains"), "cookie-missing-secure", high},
		"no page, no coverage": {observe(goodHTTP(), looped(chain(withCookies(hop(targetURL, 302, "/", goodHSTS), session)))),
			"cookie-missing-secure", high},
		"session set on the port-80 redirect": {observe(chain(withCookies(hop("http://a.test/", 301, targetURL), session), hop(targetURL, 200, "", goodHSTS)), goodHTTPS()),
			"cookie-set-over-http", medium},
		"affinity cookie on the port-80 redirect": {observe(chain(withCookies(hop("http://a.test/", 301, targetURL), "AWSALB=xyz; Path=/"), hop(targetURL, 200, "", goodHSTS)), goodHTTPS()),
			"cookie-set-over-http", low},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			fs := rules.Evaluate(tc.o)
			expectWellFormed(t, fs)
			expectRule(t, fs, tc.rule, tc.want)
		})
	}
}

// The same cookie on the same URL in both chains is one finding per rule; on two
// URLs it is two.
func TestEvaluateHopCookiesDedupe(t *testing.T) {
	line := "theme=dark"
	o := observe(
		chain(hop("http://a.test/", 301, targetURL), withCookies(hop(targetURL, 200, "", goodHSTS), line)),
		chain(withCookies(hop(targetURL, 200, "", goodHSTS), line)),
	)
	if n := count(rules.Evaluate(o), "cookie-missing-secure"); n != 1 {
		t.Errorf("same URL: cookie-missing-secure fired %d times, want 1", n)
	}
	o.HTTPS = chain(withCookies(hop(targetURL, 302, "/home", goodHSTS), line), withCookies(hop("https://a.test/home", 200, "", goodHSTS), line))
	if n := count(rules.Evaluate(o), "cookie-missing-secure"); n != 2 {
		t.Errorf("two URLs: cookie-missing-secure fired %d times, want 2", n)
	}
}
