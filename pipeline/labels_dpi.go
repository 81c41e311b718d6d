package pipeline

import "fmt"

// labelKeyNeedingDPI returns the key path of the first part of label table i
// that reads application_name or application_category_name: an
// "application" labeler, or a rules rule with application or category.
// Without the dpi set those columns do not exist and every such rule would
// silently fall through to the default label.
func labelKeyNeedingDPI(i int, data map[string]any) (string, bool) {
	prefix := fmt.Sprintf("label[%d]", i)
	if kind, _ := data["kind"].(string); kind == "application" {
		return prefix + ".kind", true
	}
	var rules []map[string]any
	switch rs := data["rule"].(type) {
	case []map[string]any:
		rules = rs
	case []any:
		for _, r := range rs {
			if m, ok := r.(map[string]any); ok {
				rules = append(rules, m)
			}
		}
	}
	for j, r := range rules {
		for _, k := range []string{"application", "category"} {
			if _, ok := r[k]; ok {
				return fmt.Sprintf("%s.rule[%d].%s", prefix, j, k), true
			}
		}
	}
	return "", false
}
