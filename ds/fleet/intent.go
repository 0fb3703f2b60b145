package fleet

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds/engine"
)

// Intent is a trigger on its way to an executor: the DS whose actions to
// run and the trigger, with what identifies it across replays.
type Intent struct {
	// ID is DS/device/key/sequence/n: the stream sequence of the line
	// whose delivery fired the trigger and, since one line may fire a DS
	// more than once, the trigger's rank among that line's triggers of the
	// DS. A replay of the partition produces the same ID, and JetStream's
	// de-duplication drops it.
	ID        string         `json:"id"`
	DS        string         `json:"ds"`
	Device    string         `json:"device"`
	Key       string         `json:"key,omitempty"`
	Seq       uint64         `json:"seq"`
	Partition int            `json:"partition"`
	Worker    string         `json:"worker"`
	Trigger   engine.Trigger `json:"trigger"`
}

// IntentID is the de-duplication ID of a trigger.
func IntentID(dsID, device, key string, seq uint64, n int) string {
	return strings.Join([]string{dsID, device, key, strconv.FormatUint(seq, 10), strconv.Itoa(n)}, "/")
}

// IntentSubject is the subject of a DS's intents.
func IntentSubject(dsID string) string {
	return SubjectActions + "." + strings.Map(func(r rune) rune {
		switch r {
		case '.', '*', '>', ' ':
			return '_'
		}
		return r
	}, dsID)
}

// Marshal is the intent's wire form.
func (in *Intent) Marshal() ([]byte, error) { return json.Marshal(in) }

// UnmarshalIntent reads an intent.
func UnmarshalIntent(b []byte) (Intent, error) {
	var in Intent
	err := json.Unmarshal(b, &in)
	return in, err
}

// Checkpoint is what a worker saved of a partition: every line up to Seq
// was evaluated and its triggers' intents acked; a new owner replays from
// From (the first line within the replay window before Time) to rebuild
// the detectors' state, publishing no intents up to Seq.
type Checkpoint struct {
	Seq    uint64    `json:"seq"`
	From   uint64    `json:"from"`
	Time   time.Time `json:"time"`
	Worker string    `json:"worker"`
}
