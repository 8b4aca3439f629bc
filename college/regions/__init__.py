"""Regions: organisers grouped (a primary care zone, a partnership, a province), whose regional
coordinators read the members' figures side by side and added up, as aggregates only."""
