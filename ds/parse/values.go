package parse

import (
	"strconv"
	"time"

	"github.com/beevik/etree"
	"github.com/dsengine/dsengine/internal/english"
)

// maxCount bounds occurs attributes, as the 32-bit counters of IOS do.
const maxCount = 4294967295

// duration reads an optional Go duration attribute. min is the smallest
// value allowed; positive says it must be above zero.
func (c *checker) duration(el *etree.Element, key string, min time.Duration, positive bool) (time.Duration, bool) {
	v, ok := attr(el, key)
	if !ok {
		return 0, false
	}
	d, err := time.ParseDuration(v)
	switch {
	case err != nil:
		c.attrError(el, key, "%s %q is not a Go duration such as 90s, 5m or 1h", key, clip(v))
		return 0, false
	case positive && d <= 0:
		c.attrError(el, key, "%s %q must be greater than 0", key, clip(v))
		return 0, false
	case d < 0:
		c.attrError(el, key, "%s %q must not be negative", key, clip(v))
		return 0, false
	case d < min:
		c.attrError(el, key, "%s %q is shorter than %v", key, clip(v), min)
		return 0, false
	}
	return d, true
}

// count reads an optional occurs-style attribute: a whole number from 1 to
// maxCount, 1 when absent.
func (c *checker) count(el *etree.Element, key string) int {
	v, ok := attr(el, key)
	if !ok {
		return 1
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n < 1 || n > maxCount {
		c.attrError(el, key, "%s %q is not a whole number from 1 to %d", key, clip(v), maxCount)
		return 1
	}
	return int(n)
}

// oneOf reads an optional keyword attribute, dflt when absent.
func (c *checker) oneOf(el *etree.Element, key, dflt string, allowed ...string) string {
	v, ok := attr(el, key)
	if !ok {
		return dflt
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	c.attrError(el, key, "%s %q is not %s", key, clip(v), english.OrList(allowed))
	return dflt
}
