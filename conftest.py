"""Root pytest configuration: the whole suite (unit tests and nbval notebooks) runs in quick mode.

Setting the variable here, before any kernel starts, makes every notebook kernel that nbval launches inherit it.
"""
import os

os.environ["NNCOURSE_QUICK"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
