// Must be imported before the generated code: 64-bit fields are plain JS numbers (the schemas
// bound them to 2^53-1, enforced by decodeCanonical), never Long objects. Without this, the
// prototype default of an unset uint64 field would be a Long whenever the `long` package is
// installed (protobufjs depends on it), and `message.height === 0` would be false.
import $protobuf from "protobufjs/minimal.js";

$protobuf.util.Long = undefined as unknown as typeof $protobuf.util.Long;
$protobuf.configure();
