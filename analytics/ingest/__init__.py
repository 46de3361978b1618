"""Reading extracts: bytes in, a normalised frame (or a list of problems) out.

Nothing here touches the data directory; the store decides what to keep. Every value that
cannot be normalised becomes a Problem naming file, row (header = row 1), column and value.

    problems   Problem, ProblemList: what is wrong, where, in the reader's language
    reading    sniffing the format, decoding text, sheets, zip bombs: bytes to a raw table (Parsed)
    normalise  headers mapped, values normalised (one function per kind), references checked
    isolation  Excel parsed in a child process: a crashing or hanging reader costs one refused upload
    cache      one parse per upload: the preview's parse is the one a confirmed load stores
"""
from .cache import ParseCache
from .isolation import PARSE_TIMEOUT_S, parse_bytes_isolated, parse_file
from .normalise import check_references, normalise, parse_bytes, parse_dates, parse_numbers
from .problems import MAX_PROBLEMS_SHOWN, LabelRef, Problem, ProblemList, human_size
from .reading import Parsed, decode_text, read_table, sniff_format, xlsx_sheets

__all__ = ["MAX_PROBLEMS_SHOWN", "PARSE_TIMEOUT_S", "LabelRef", "ParseCache", "Parsed", "Problem", "ProblemList",
           "check_references", "decode_text", "human_size", "normalise", "parse_bytes", "parse_bytes_isolated",
           "parse_dates", "parse_file", "parse_numbers", "read_table", "sniff_format", "xlsx_sheets"]
