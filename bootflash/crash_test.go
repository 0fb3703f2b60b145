package bootflash

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dsengine/dsengine/ds"
)

// The crash test's child process reads its store and generation from these.
const (
	crashRootEnv = "DSENGINE_BOOTFLASH_CRASH_ROOT"
	crashGenEnv  = "DSENGINE_BOOTFLASH_CRASH_GEN"
	crashDSCount = 200
)

// TestCrashChild is the process TestCrashSafety kills: it installs
// crashDSCount DSes of 1–2 KiB in groups of 20–50, replaces every 7th
// right away, removes and re-installs every 13th, updates statistics and
// fills the outbox. Every other group is written one DS at a time (Put,
// Remove), the others with PutBatch and RemoveBatch.
func TestCrashChild(t *testing.T) {
	root := os.Getenv(crashRootEnv)
	if root == "" {
		return // only the child process started by TestCrashSafety runs this
	}
	gen, _ := strconv.Atoi(os.Getenv(crashGenEnv))
	s, err := Open(root, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	genAnswer := func(e *Entry) { e.PromptAnswers = map[string]string{"ds_gen": strconv.Itoa(gen)} }
	first := func(id string, i int) (xml, asc []byte) {
		return makeDS(id, fmt.Sprintf("%d.1", gen), 1024+(i*37+gen*101)%1024)
	}
	second := func(id string, i int) (xml, asc []byte) {
		return makeDS(id, fmt.Sprintf("%d.2", gen), 1024+(i*53+gen*7)%1024)
	}
	after := func(id string, i int, xml []byte) {
		if i%5 == 0 {
			if err := s.Update(id, func(e *Entry) { e.Stats.Triggers++; e.Status = ds.StatusRegistered }); err != nil {
				t.Fatal(err)
			}
		}
		if i%50 == 0 {
			if err := s.OutboxPut(fmt.Sprintf("msg-%d-%d", gen, i), xml); err != nil {
				t.Fatal(err)
			}
		}
	}
	for group, from := 0, 1; from <= crashDSCount; group++ {
		to := min(from+20+(group*17+gen*5)%31, crashDSCount+1) // 20–50 DSes
		if (group+gen)%2 == 1 {
			for i := from; i < to; i++ {
				id := strconv.Itoa(i)
				if _, ok := s.Get(id); ok && i%13 == 0 {
					if err := s.Remove(id); err != nil {
						t.Fatal(err)
					}
				}
				xml, asc := first(id, i)
				if err := s.Put(id, xml, asc, genAnswer); err != nil {
					t.Fatal(err)
				}
				if i%7 == 0 {
					xml, asc := second(id, i)
					if err := s.Put(id, xml, asc, nil); err != nil {
						t.Fatal(err)
					}
				}
				after(id, i, xml)
			}
		} else {
			var remove []string
			var puts, replaces []PutItem
			for i := from; i < to; i++ {
				id := strconv.Itoa(i)
				if _, ok := s.Get(id); ok && i%13 == 0 {
					remove = append(remove, id)
				}
				xml, asc := first(id, i)
				puts = append(puts, PutItem{ID: id, XML: xml, ASC: asc, Update: genAnswer})
				if i%7 == 0 {
					xml, asc := second(id, i)
					replaces = append(replaces, PutItem{ID: id, XML: xml, ASC: asc})
				}
			}
			if err := s.RemoveBatch(remove); err != nil {
				t.Fatal(err)
			}
			if err := s.PutBatch(puts); err != nil {
				t.Fatal(err)
			}
			if err := s.PutBatch(replaces); err != nil {
				t.Fatal(err)
			}
			for i := from; i < to; i++ {
				after(strconv.Itoa(i), i, puts[i-from].XML)
			}
		}
		from = to
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCrashSafety SIGKILLs TestCrashChild at random moments and checks
// that every store it leaves opens cleanly: state.json parses, every DS
// present passes Check, nothing is reported, and no DS that was stored
// before the child started is lost (except the ones it removes on purpose).
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	const minKills, maxTrials = 50, 150
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("DSENGINE_CRASH_SEED"); v != "" {
		seed, _ = strconv.ParseUint(v, 10, 64)
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	t.Logf("seed %d (set DSENGINE_CRASH_SEED to repeat)", seed)
	base := t.TempDir()

	start := func(root string, gen int) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
		cmd.Env = append(os.Environ(), crashRootEnv+"="+root, crashGenEnv+"="+strconv.Itoa(gen))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}

	// The typical run time bounds the random kill delay.
	root := filepath.Join(base, "r0")
	began := time.Now()
	cmd := start(root, 0)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("uninterrupted child run failed: %v", err)
	}
	typical := time.Since(began)
	if problems := verifyCrashedStore(t, root, true); len(problems) > 0 {
		t.Fatalf("store after a clean run: %v", problems)
	}
	t.Logf("uninterrupted run: %v", typical)

	// On a badly overloaded machine, fail clearly instead of hitting the
	// test binary's timeout.
	budget := 10 * time.Minute
	if d, ok := t.Deadline(); ok && time.Until(d)-time.Minute < budget {
		budget = time.Until(d) - time.Minute
	}
	stop := time.Now().Add(budget)

	kills, corrupt, midWrite, midBatch, finished := 0, 0, 0, 0, 0
	complete := true // root holds all DSes from an earlier finished run
	for trial := 1; kills < minKills && trial <= maxTrials && time.Now().Before(stop); trial++ {
		if trial%10 == 0 {
			root, complete = filepath.Join(base, fmt.Sprintf("r%d", trial)), false
		}
		began := time.Now()
		cmd := start(root, trial)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var err error
		select {
		case err = <-done:
		case <-time.After(time.Duration(rng.Int64N(int64(typical)))):
			cmd.Process.Kill()
			err = <-done
		}
		var exit *exec.ExitError
		switch {
		case err == nil: // finished before the kill: the machine got faster
			typical = (typical + time.Since(began)) / 2
			complete = true
			finished++
		case errors.As(err, &exit) && exit.ProcessState.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL:
			kills++
		default:
			t.Fatalf("trial %d: child failed on its own: %v", trial, err)
		}
		if pending, _ := filepath.Glob(filepath.Join(root, Dir, "*"+journalSuffix)); len(pending) > 0 {
			midWrite++
		}
		if raw, err := os.ReadFile(filepath.Join(root, Dir, batchJournalFile)); err == nil {
			if b, err := decodeBatchJournal(raw); err == nil && len(b.Items) > 1 {
				midBatch++
			}
		}
		if problems := verifyCrashedStore(t, root, complete); len(problems) > 0 {
			corrupt++
			t.Errorf("trial %d (child: %v): corrupt store:\n  %s", trial, err, strings.Join(problems, "\n  "))
		}
	}
	t.Logf("crash trials: %d, corrupt stores: %d (%d killed between a commit and its journal's removal, %d of them in a batch of several DSes; %d more runs finished before their kill)",
		kills, corrupt, midWrite, midBatch, finished)
	fmt.Printf("crash trials: %d, corrupt stores: %d\n", kills, corrupt)
	if kills < minKills {
		t.Errorf("only %d kills in %d trials or %v (an uninterrupted run took %v)", kills, maxTrials, budget, typical)
	}
}

// verifyCrashedStore opens a store a killed child left and lists what is
// wrong with it. With complete, every DS the child does not remove on
// purpose must be present.
func verifyCrashedStore(t *testing.T, root string, complete bool) []string {
	t.Helper()
	var problems []string
	statePath := filepath.Join(root, Dir, StateFile)
	if raw, err := os.ReadFile(statePath); err == nil {
		var st stateFile
		if err := json.Unmarshal(raw, &st); err != nil || st.Version != stateVersion {
			problems = append(problems, fmt.Sprintf("state.json before Open does not parse: %v", err))
		}
	} else if complete {
		problems = append(problems, fmt.Sprintf("state.json: %v", err))
	}
	if _, err := os.Stat(filepath.Join(root, Dir)); os.IsNotExist(err) {
		return problems // killed before Open created anything
	}
	s, err := Open(root, testOptions())
	if err != nil {
		return append(problems, "Open: "+err.Error())
	}
	defer s.Close()
	for _, w := range s.Warnings() {
		problems = append(problems, "warning: "+w)
	}
	present := map[string]bool{}
	for _, e := range s.List() {
		present[e.ID] = true
		if !e.Runnable() {
			problems = append(problems, fmt.Sprintf("DS %s not runnable: %s %s", e.ID, e.Status, e.FailureReason))
			continue
		}
		xml, asc, err := s.Files(e.ID)
		if err == nil {
			_, err = testCheck(e.ID, xml, asc)
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("DS %s: %v", e.ID, err))
		}
	}
	if complete {
		for i := 1; i <= crashDSCount; i++ {
			if id := strconv.Itoa(i); i%13 != 0 && !present[id] {
				problems = append(problems, "DS "+id+" was lost")
			}
		}
	}
	if raw, err := os.ReadFile(statePath); err != nil || !json.Valid(raw) {
		problems = append(problems, fmt.Sprintf("state.json after Open: %v", err))
	}
	if l := leftovers(t, root); len(l) > 0 {
		problems = append(problems, fmt.Sprintf("left after Open: %v", l))
	}
	return problems
}
