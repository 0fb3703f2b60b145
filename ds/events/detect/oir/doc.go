// Package oir detects the online insertion or removal of a card or module,
// from %OIR messages or from events injected by
// `dsengine event oir --slot N insert|remove`.
//
// It reads <Event type="oir" slot="3" action="remove"/> (slot a number or
// "any", action "insert", "remove" or "any"; both default to any) and the
// EEM line `event oir`. The messages understood are the IOS and IOS XE
// insertion and removal messages, such as
//
//	%OIR-6-REMCARD: Card removed from slot 3, interfaces disabled
//	%OIR-6-INSCARD: Card inserted in slot 3, interfaces administratively shut down
//	%OIR-SP-6-REMCARD: Card removed from slot 9, interfaces disabled
//	%IOSXE_OIR-6-REMSPA: SPA removed from subslot 0/1, interfaces disabled
package oir
