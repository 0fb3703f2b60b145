package ds

import (
	"sort"
	"strconv"
)

// SortIDs sorts DS ids numerically, the order of every DS table ("6015"
// before "10000"); an id that is not a number sorts first.
func SortIDs(ids []string) {
	sort.Slice(ids, func(i, j int) bool {
		a, _ := strconv.ParseUint(ids[i], 10, 64)
		b, _ := strconv.ParseUint(ids[j], 10, 64)
		if a != b {
			return a < b
		}
		return ids[i] < ids[j]
	})
}
