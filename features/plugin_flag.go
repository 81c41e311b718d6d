package features

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// ParsePluginFlag parses the value of a --plugin flag, "name" or
// "name:key=value,key=value", into a request for the set "plugin.name".
// Each value is typed by the option's declared default: int64, float64,
// bool (true/false/1/0) or string (taken verbatim; it cannot contain a
// comma). Unknown plugins and options are errors that list what exists.
func ParsePluginFlag(s string) (Request, error) {
	name, rest, hasOpts := strings.Cut(strings.TrimSpace(s), ":")
	name = strings.TrimSpace(name)
	if name == "" {
		return Request{}, fmt.Errorf("--plugin %q: missing plugin name (want name[:key=value,…])", s)
	}
	spec, ok := Lookup(PluginPrefix + name)
	if !ok {
		return Request{}, fmt.Errorf("--plugin %q: unknown plugin %q (known: %s)", s, name, strings.Join(PluginNames(), ", "))
	}
	req := Request{Name: spec.Name, Options: Options{}}
	if !hasOpts {
		return req, nil
	}
	if strings.TrimSpace(rest) == "" {
		return Request{}, fmt.Errorf("--plugin %q: nothing after ':' (want key=value,…)", s)
	}
	for _, kv := range strings.Split(rest, ",") {
		key, raw, ok := strings.Cut(kv, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return Request{}, fmt.Errorf("--plugin %q: %q is not key=value", s, kv)
		}
		opt, found := findOption(spec.Options, key)
		if !found {
			return Request{}, fmt.Errorf("--plugin %q: plugin %s has no option %q (options: %s)", s, name, key, optionNames(spec.Options))
		}
		if _, dup := req.Options[key]; dup {
			return Request{}, fmt.Errorf("--plugin %q: option %q given twice", s, key)
		}
		v, err := parseOptionValue(opt, strings.TrimSpace(raw))
		if err != nil {
			return Request{}, fmt.Errorf("--plugin %q: %w", s, err)
		}
		req.Options[key] = v
	}
	return req, nil
}

// PluginNames lists the registered plugins (without the "plugin." prefix),
// sorted.
func PluginNames() []string {
	var out []string
	for _, s := range All() {
		if IsPlugin(s.Name) {
			out = append(out, strings.TrimPrefix(s.Name, PluginPrefix))
		}
	}
	sort.Strings(out)
	return out
}

func findOption(opts []Option, name string) (Option, bool) {
	for _, o := range opts {
		if o.Name == name {
			return o, true
		}
	}
	return Option{}, false
}

func optionNames(opts []Option) string {
	if len(opts) == 0 {
		return "none"
	}
	names := make([]string, len(opts))
	for i, o := range opts {
		names[i] = o.Name
	}
	return strings.Join(names, ", ")
}

// parseOptionValue converts text to the type of the option's default.
func parseOptionValue(opt Option, raw string) (any, error) {
	switch opt.Default.(type) {
	case int64, int:
		v, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("option %s: want an integer, got %q", opt.Name, raw)
		}
		return v, nil
	case float64:
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return nil, fmt.Errorf("option %s: want a number, got %q", opt.Name, raw)
		}
		return v, nil
	case bool:
		v, err := strconv.ParseBool(raw)
		if err != nil {
			return nil, fmt.Errorf("option %s: want true or false, got %q", opt.Name, raw)
		}
		return v, nil
	case string:
		return raw, nil
	}
	return nil, fmt.Errorf("option %s: unsupported option type %T", opt.Name, opt.Default)
}
