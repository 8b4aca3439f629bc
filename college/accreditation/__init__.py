"""Accreditation: the schemes of professional bodies, a course's accreditations, professionals'
registration numbers per scheme, the learning record and the attendance list a body asks for."""
