from django.urls import path

from masthead.audio import issue_views, listening_views, transcript_views, views

app_name = "audio"

urlpatterns = [
    path("feed.xml", views.public_feed, name="public_feed"),
    path("artwork.png", views.artwork, name="artwork"),
    path("articles/<id:article_id>.mp3", views.article_audio, name="article_audio"),
    path("feed/rotate/", views.rotate_feed, name="rotate_feed"),
    path("articles/<id:article_id>/position/", listening_views.listening_position, name="listening_position"),
    path("continue.json", listening_views.continue_listening, name="continue_listening"),
    path("issues/<id:issue_id>/", issue_views.issue_playlist, name="issue_playlist"),
    path("issues/<id:issue_id>.zip", issue_views.issue_zip, name="issue_zip"),
    path("private/<str:token>/feed.xml", views.private_feed, name="private_feed"),
    path("private/<str:token>/<id:article_id>.mp3", views.private_audio, name="private_audio"),
    path("articles/<id:article_id>.vtt", transcript_views.article_transcript, {"file_format": "vtt"}, name="vtt"),
    path(
        "articles/<id:article_id>/transcript.html",
        transcript_views.article_transcript,
        {"file_format": "html"},
        name="transcript",
    ),
    path(
        "private/<str:token>/<id:article_id>.vtt",
        transcript_views.private_transcript,
        {"file_format": "vtt"},
        name="private_vtt",
    ),
    path(
        "private/<str:token>/<id:article_id>/transcript.html",
        transcript_views.private_transcript,
        {"file_format": "html"},
        name="private_transcript",
    ),
]
