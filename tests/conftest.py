import sys
from pathlib import Path

# The test-only search lives beside the tests.
sys.path.insert(0, str(Path(__file__).parent))
