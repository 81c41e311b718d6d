package objstore

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
)

// profileSettings returns the keys of one profile of an AWS config file
// (~/.aws/config): the section [default] for the profile "default",
// [profile NAME] (or [NAME], as the credentials file writes it) for
// others. Region and endpoint_url are what FromEnv takes from it, so
// that a profile set up for the AWS CLI works unchanged; credentials in
// these files are read by minio-go's FileAWSCredentials.
func profileSettings(data []byte, profile string) map[string]string {
	want := map[string]bool{"profile " + profile: true}
	if profile == "default" {
		want["default"] = true
	}
	plain := map[string]string{}
	named := map[string]string{}
	var cur map[string]string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[':
			name := strings.Join(strings.Fields(strings.Trim(line, "[]")), " ")
			switch {
			case want[name]:
				cur = named
			case name == profile:
				cur = plain
			default:
				cur = nil
			}
		case cur != nil:
			// Indented lines continue a nested key (s3 =\n  region = …):
			// only top-level keys of the profile count here.
			if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(sc.Text(), " ") && !strings.HasPrefix(sc.Text(), "\t") {
				cur[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
			}
		}
	}
	for k, v := range plain {
		if _, ok := named[k]; !ok {
			named[k] = v
		}
	}
	return named
}

// configFileSettings reads the profile's keys from AWS_CONFIG_FILE or
// ~/.aws/config; a missing or unreadable file has no keys.
func configFileSettings(get func(keys ...string) string) map[string]string {
	file := get("AWS_CONFIG_FILE")
	if file == "" {
		home := get("HOME")
		if home == "" {
			var err error
			if home, err = os.UserHomeDir(); err != nil {
				return nil
			}
		}
		file = filepath.Join(home, ".aws", "config")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	profile := get("AWS_PROFILE")
	if profile == "" {
		profile = "default"
	}
	return profileSettings(data, profile)
}
