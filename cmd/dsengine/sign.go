package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dsengine/dsengine/ds/verify"
	"github.com/dsengine/dsengine/internal/regularfile"
)

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return fmt.Sprint(*l) }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func signFlags(fs *flag.FlagSet) {
	fs.String("key", "", "the armoured OpenPGP secret key `SECRET.asc` to sign with (passphrase, if any, in $DSENGINE_KEY_PASSPHRASE)")
}

func runSign(e *env, fs *flag.FlagSet, args []string) error {
	keyPath := fs.Lookup("key").Value.String()
	if keyPath == "" {
		return usagef("--key SECRET.asc is required")
	}
	if len(args) == 0 {
		return usagef("name at least one file to sign")
	}
	key, err := verify.LoadSigningKey(keyPath, []byte(e.getenv("DSENGINE_KEY_PASSPHRASE")))
	if err != nil {
		return err
	}
	for _, path := range args {
		data, err := regularfile.Read(path, maxSignedFile)
		if err != nil {
			return err
		}
		sig, err := key.SignDetached(data, e.now())
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := writeFileAtomic(path+".asc", sig); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s.asc: signed by %s\n", path, key.Info().UserID)
	}
	return nil
}

func verifyFlags(fs *flag.FlagSet) {
	fs.Var(&listFlag{}, "trust", "a trusted armoured public key file `PUBLIC.asc` (repeatable)")
}

func runVerify(e *env, fs *flag.FlagSet, args []string) error {
	trust := *fs.Lookup("trust").Value.(*listFlag)
	if len(trust) == 0 {
		return usagef("--trust PUBLIC.asc is required")
	}
	if len(args) == 0 {
		return usagef("name at least one file to verify")
	}
	keys, err := verify.LoadKeyring(trust...)
	if err != nil {
		return err
	}
	failed := 0
	for _, path := range args {
		_, signer, err := keys.VerifyFile(path, e.now())
		if err != nil {
			failed++
			fmt.Fprintln(e.stdout, err)
			continue
		}
		fmt.Fprintf(e.stdout, "%s: good signature, %s\n", path, signer)
	}
	if failed > 0 {
		fmt.Fprintf(e.stderr, "%d of %d files did not verify\n", failed, len(args))
		return errSilent
	}
	return nil
}

// writeFileAtomic writes a file through a temporary file and a rename, so
// a reader never sees half of it.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// maxSignedFile caps what `ds sign` reads: DS files (1 MiB) and
// repository indexes.
const maxSignedFile = 16 << 20
