// Package eem parses IOS Embedded Event Manager "event" lines into the
// shared event model of package ds.
package eem
