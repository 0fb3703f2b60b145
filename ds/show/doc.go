// Package show renders the `show call-home diagnostic-signature` outputs in
// the layout of the Cisco guide's samples, from the store's entries and the
// configuration. It only formats; it reads nothing from disk.
package show
