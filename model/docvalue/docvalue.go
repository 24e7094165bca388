// Package docvalue holds what it means for two values of an Octopus
// document to be alike, as octosync compares them: a plan comparing git
// with Octopus, and export deciding whether a value is only the default.
// Octopus returns null, "", false, 0, [] and {} interchangeably for an unset
// field, so they are all empty; numbers compare by value, whatever their
// spelling. The values are JSON-shaped: map[string]any, []any, string,
// bool, json.Number (or float64, int), nil, and model.SecretRef.
package docvalue

import (
	"encoding/json"
	"fmt"
	"math/big"
)

// IsEmpty reports whether v is null or a zero value.
func IsEmpty(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case string:
		return t == ""
	case bool:
		return !t
	case json.Number:
		f, err := t.Float64()
		return err == nil && f == 0
	case float64:
		return t == 0
	case int:
		return t == 0
	case []any:
		return len(t) == 0
	case map[string]any:
		return len(t) == 0
	}
	return false
}

// DeepEmpty reports whether v is empty, or an object or array holding only
// empty values (a tenant's project with no variable values set).
func DeepEmpty(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		for _, e := range t {
			if !DeepEmpty(e) {
				return false
			}
		}
		return true
	case []any:
		for _, e := range t {
			if !DeepEmpty(e) {
				return false
			}
		}
		return true
	}
	return IsEmpty(v)
}

// EqualScalar compares two values that are not objects or arrays: empty
// values alike, numbers by value, the rest by their JSON encoding.
func EqualScalar(a, b any) bool {
	if IsEmpty(a) && IsEmpty(b) {
		return true
	}
	if na, ok := Number(a); ok {
		nb, ok := Number(b)
		return ok && na.Cmp(nb) == 0
	}
	switch ta := a.(type) {
	case string:
		tb, ok := b.(string)
		return ok && ta == tb
	case bool:
		tb, ok := b.(bool)
		return ok && ta == tb
	}
	return Canonical(a) == Canonical(b)
}

// Number returns a numeric value exactly, or false for a value that is not
// a number.
func Number(v any) (*big.Float, bool) {
	var s string
	switch t := v.(type) {
	case json.Number:
		s = string(t)
	case float64:
		return big.NewFloat(t), true
	case int:
		return new(big.Float).SetInt64(int64(t)), true
	case int64:
		return new(big.Float).SetInt64(t), true
	default:
		return nil, false
	}
	f, _, err := big.ParseFloat(s, 10, 128, big.ToNearestEven)
	return f, err == nil
}

// Canonical encodes v with sorted keys, for identities and equality.
func Canonical(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// DeepCopy copies a JSON-shaped value; scalars are shared.
func DeepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = DeepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(t))
		for i, e := range t {
			a[i] = DeepCopy(e)
		}
		return a
	}
	return v
}
