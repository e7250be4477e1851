# lit configuration for edgec: dialect, frontend, pass and CLI tests.
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "edgec"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtxt", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = config.edgec_obj_root
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py.in", "Inputs"]

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(["edgec", "edgec-opt"], [config.edgec_tools_dir])
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%edgec_bin", config.edgec_tools_dir))
config.substitutions.append(("%edgec_src", config.edgec_src_root))
config.substitutions.append(("%edgec_build", config.edgec_build_root))
