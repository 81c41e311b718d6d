package bpf

import "strconv"

// CompileError reports why an expression was rejected and where.
type CompileError struct {
	Expr   string // the expression as given to Compile
	Offset int    // byte offset in Expr of the offending part
	Msg    string // what is wrong, without the offset
}

func (e *CompileError) Error() string {
	return "bpf: " + e.Msg + " at offset " + strconv.Itoa(e.Offset)
}
