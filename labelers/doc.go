// Package labelers is the registry of labelers: each adds one label column
// to finished flow records (rules by address, port and time window,
// ground-truth CSV joins, application/category maps, …), configured by the
// manifest's [[label]] tables.
//
// May import: features/ (record and view types) and the standard library.
package labelers
