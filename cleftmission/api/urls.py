from ninja import NinjaAPI

api = NinjaAPI(title="CleftMission API", version="1", urls_namespace="api")
