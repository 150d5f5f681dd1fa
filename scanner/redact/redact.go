// Package redact hides secrets that ride in URLs — a ;jsessionid= path
// parameter, a session id, token, nonce or password in a query — wherever a
// report carries text (page and finding URLs, redirect Locations, details,
// evidence, errors), unless the operator asked for values (--show-values).
// Cookie values are redacted where they are parsed (setcookie); this is the
// net for the same secrets in every other field.
package redact

import (
	"reflect"
	"regexp"
	"strings"

	"github.com/cookiescan/cookiescan/scanner/result"
	sc "github.com/cookiescan/cookiescan/scanner/setcookie"
)

// param is one ;name=value or ?name= / &name= pair in text.
var param = regexp.MustCompile(`([;?&])([A-Za-z0-9_.\-\[\]]{1,64})=([^&#;?/\s"'<>\\]+)`)

// secretNames are parts of parameter names that carry a credential.
var secretNames = []string{"sess", "token", "nonce", "auth", "secret", "passw", "pwd", "apikey", "api_key",
	"access_key", "signature", "ticket", "jwt", "csrf", "xsrf", "saml", "credential"}

// exactNames are short names that are secrets only on their own.
var exactNames = map[string]bool{"sid": true, "key": true, "sig": true, "code": true, "pass": true, "ssid": true}

// Secret reports whether a URL parameter of this name carries a credential.
func Secret(name string) bool {
	n := strings.ToLower(name)
	if exactNames[n] || strings.HasSuffix(n, "_sid") || strings.HasSuffix(n, "sessid") {
		return true
	}
	for _, s := range secretNames {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// Text hides the values of secret URL parameters in s.
func Text(s string) string {
	if !strings.ContainsRune(s, '=') {
		return s
	}
	return param.ReplaceAllStringFunc(s, func(m string) string {
		sub := param.FindStringSubmatch(m)
		if !Secret(sub[2]) || strings.Contains(sub[3], "…(") {
			return m
		}
		return sub[1] + sub[2] + "=" + sc.RedactValue(sub[3])
	})
}

// Report applies Text to every string of r (nested lists and structs
// included). Raw Set-Cookie lines are redacted already and pass unchanged:
// their attributes hold no URL parameters.
func Report(r *result.Report) {
	walk(reflect.ValueOf(r).Elem())
}

func walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			if t := Text(v.String()); t != v.String() {
				v.SetString(t)
			}
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walk(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				walk(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			walk(v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := v.MapIndex(k)
			if e.Kind() == reflect.String {
				if t := Text(e.String()); t != e.String() {
					v.SetMapIndex(k, reflect.ValueOf(t).Convert(e.Type()))
				}
				continue
			}
			c := reflect.New(e.Type()).Elem()
			c.Set(e)
			walk(c)
			v.SetMapIndex(k, c)
		}
	}
}
