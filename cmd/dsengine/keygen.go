package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/dsengine/dsengine/ds/verify"
)

func keygenFlags(fs *flag.FlagSet) {
	fs.String("name", "", "the key owner's `NAME` (required)")
	fs.String("email", "", "the key owner's `EMAIL` (required)")
	fs.String("algo", verify.KeyAlgorithms()[0], "key algorithm: "+strings.Join(verify.KeyAlgorithms(), ", "))
	fs.Duration("lifetime", 0, "key lifetime, e.g. 17520h for two years (0: never expires)")
}

// runKeygen writes PREFIX-public.asc and PREFIX-secret.asc, a new signing
// key for a signature author who does not use gpg.
func runKeygen(e *env, fs *flag.FlagSet, args []string) error {
	if len(args) != 1 {
		return usagef("name the output PREFIX")
	}
	name, email := fs.Lookup("name").Value.String(), fs.Lookup("email").Value.String()
	if name == "" || email == "" {
		return usagef("--name and --email are required")
	}
	lifetime := fs.Lookup("lifetime").Value.(flag.Getter).Get().(time.Duration)
	pub, sec, err := verify.GenerateKey(name, email, fs.Lookup("algo").Value.String(), e.now(), lifetime)
	if err != nil {
		return err
	}
	pubPath, secPath := args[0]+"-public.asc", args[0]+"-secret.asc"
	for _, p := range []string{pubPath, secPath} {
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("%s exists; choose another prefix (keys are never overwritten)", p)
		}
	}
	if err := os.WriteFile(secPath, sec, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(pubPath, pub, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: public key; devices trust it with `trust-key %s`\n%s: secret key (unprotected: keep it safe)\n", pubPath, pubPath, secPath)
	return nil
}
