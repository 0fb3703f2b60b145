// Package vars resolves a DS's ds_ variables from their sources (SPEC §3),
// substitutes ${ds_x} references, and decides whether a DS must stay
// pending because a variable has no value yet.
package vars
