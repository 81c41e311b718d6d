//go:build !linux

package stages

// OpenLive is not available on this system.
func OpenLive(name string, cfg LiveConfig) (Source, error) {
	return nil, ErrLiveUnsupported
}
