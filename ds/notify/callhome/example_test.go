package callhome_test

import (
	"fmt"
	"time"

	"github.com/dsengine/dsengine/ds/config"
	"github.com/dsengine/dsengine/ds/notify/callhome"
)

// A DS call-home action: build the message, apply data-privacy, render it
// in the profile's format within its message-size-limit.
func Example() {
	cfg := config.Default()
	cfg.Hostname = "edge-1"
	cfg.CallHome.ContactEmail = "noc@example.com"
	cfg.CallHome.DataPrivacy = config.DataPrivacy{Level: config.PrivacyHigh, Hostname: true}
	profile := config.NewProfile("user1", 0)
	profile.PreferredMsgFormat = config.FormatShortText

	at := time.Date(2024, 5, 1, 8, 15, 30, 0, time.UTC)
	m := &callhome.Message{
		Type:         callhome.TypeDiagnosticSignature,
		SubType:      "6030",
		Severity:     config.SeverityMinor,
		EventTime:    at,
		CreationTime: at,
		Description:  "DS 6030 on edge-1: link flapped",
		Customer:     callhome.CustomerFromConfig(cfg, "srv42"),
		Device:       callhome.Device{Product: "dsengine", BuilderVersion: callhome.AMLBuilderVersion, PID: "Linux", Serial: "8F3C2A91D04E"},
		Attachments:  []callhome.Attachment{{Command: "show running-config", Output: "hostname edge-1\nip domain name corp.example.com\n"}},
		MessageID:    1,
		GroupID:      2,
	}
	m = callhome.Scrub(m, cfg.CallHome.DataPrivacy)
	out, err := callhome.Render(m, profile.PreferredMsgFormat, callhome.Options{SizeLimit: profile.MessageSizeLimit})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// Device identification: <hostname>
	// Date/time stamp: 2024-05-01 08:15:30 GMT+00:00
	// Error isolation message: DS 6030 on <hostname>: link flapped
	// Alarm urgency level: minor
}
