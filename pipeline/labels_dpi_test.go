package pipeline

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Issue #12 defect 2: a labeler that reads application_name in a manifest
// without the dpi set used to validate and give every flow the default label.
func TestLabelsNeedingDPIAreManifestErrors(t *testing.T) {
	type got struct {
		Line int
		Key  string
	}
	rulesApp := `
[[label]]
kind = "rules"
default = "benign"

[[label.rule]]
label = "dns"
dst_port = 53

[[label.rule]]
label = "quic"
application = "QUIC"
`
	rulesCat := `
[[label]]
kind = "rules"

[[label.rule]]
label = "web"
category = "Web"
`
	app := `
[[label]]
kind = "application"
[label.map]
"QUIC" = "quic"
`
	tests := []struct {
		name, text string
		want       *got // nil: the manifest loads
	}{
		{"rules application without dpi", minimal + rulesApp, &got{Line: 20, Key: "label[0].rule[1].application"}},
		{"rules category without dpi", minimal + rulesCat, &got{Line: 15, Key: "label[0].rule[0].category"}},
		{"application labeler without dpi", minimal + app, &got{Line: 11, Key: "label[0].kind"}},
		{"rules application with dpi", minimal + "\n[features]\nsets = [\"base\", \"dpi\"]\n" + rulesApp, nil},
		{"port rules without dpi", minimal + rulesApp[:len(rulesApp)-len("\n[[label.rule]]\nlabel = \"quic\"\napplication = \"QUIC\"\n")], nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeManifest(t, tt.text))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Load succeeded; want an error saying the rule needs the dpi set")
			}
			me := firstError(t, err)
			if diff := cmp.Diff(*tt.want, got{me.Line, me.Key}); diff != "" {
				t.Errorf("error %v: line/key (-want +got):\n%s", err, diff)
			}
			if me.File == "" || !strings.Contains(err.Error(), "dpi feature set") {
				t.Errorf("error %q does not name the file and the dpi set", err)
			}
		})
	}
}
