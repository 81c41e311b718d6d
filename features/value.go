package features

// Kind is the type of a column.
type Kind uint8

const (
	Int     Kind = iota // int64; INT64 in Parquet
	Float               // float64; DOUBLE in Parquet
	String              // UTF-8; null when empty and Nullable
	IntList             // []int64; LIST<INT64> in Parquet
)

func (k Kind) String() string {
	switch k {
	case Int:
		return "int"
	case Float:
		return "float"
	case String:
		return "string"
	case IntList:
		return "int_list"
	}
	return "unknown"
}

// Column describes one output column.
type Column struct {
	Name string
	Kind Kind
	Doc  string
	// Nullable strings are written as null (Parquet, JSON) when empty, as
	// NFStream's to_pandas reads an empty quoted field as NaN.
	Nullable bool
}

// Value is one cell. Only the field matching the column's Kind is used.
type Value struct {
	Int   int64
	Float float64
	Str   string
	List  []int64
	Null  bool // an absent value (None in NFStream): empty in CSV, null elsewhere
}

// IntValue, FloatValue, StringValue and ListValue build cells.
func IntValue(v int64) Value     { return Value{Int: v} }
func FloatValue(v float64) Value { return Value{Float: v} }
func StringValue(s string) Value { return Value{Str: s} }
func ListValue(l []int64) Value  { return Value{List: l} }

// Schema is an ordered list of columns.
type Schema []Column

// Index returns the position of the named column or -1.
func (s Schema) Index(name string) int {
	for i, c := range s {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Record is one finished flow: values in schema order.
type Record []Value
