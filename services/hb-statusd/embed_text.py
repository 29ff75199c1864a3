"""Embeds a text file (docs/openapi.json) in hb-statusd as a C++ string, so the document served is
always the one the binary was built with.

usage: embed_text.py INPUT OUTPUT.cpp SYMBOL
"""
import sys


def main():
    src, out, symbol = sys.argv[1], sys.argv[2], sys.argv[3]
    text = open(src, encoding="utf-8").read()
    delimiter = "hbdoc"
    if ")" + delimiter + '"' in text:
        sys.exit(f"{src} contains the raw-string delimiter")
    with open(out, "w", encoding="utf-8") as f:
        f.write("// Generated from " + src.split("/")[-1] + " by embed_text.py; do not edit.\n")
        f.write("#include <string_view>\n\nnamespace hb::statusd {\n")
        f.write(f'extern const std::string_view {symbol};\n')
        f.write(f'const std::string_view {symbol} = R"{delimiter}({text}){delimiter}";\n')
        f.write("}  // namespace hb::statusd\n")


if __name__ == "__main__":
    main()
