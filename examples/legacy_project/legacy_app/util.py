"""Small utilities (Python 3.6 era)."""
import collections
import datetime
import logging
import unittest

log = logging.getLogger(__name__)


def is_mapping(obj):
    return isinstance(obj, collections.Mapping)


def stamp():
    return datetime.datetime.utcnow().isoformat()


def warn(msg):
    logging.warn(msg)


class UtilTest(unittest.TestCase):
    def test_mapping(self):
        self.assertEquals(is_mapping({}), True)
