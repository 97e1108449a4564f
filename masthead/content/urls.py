from django.urls import path
from wagtail.contrib.sitemaps.views import sitemap

from masthead.content import api, news_sitemap, views
from masthead.content.feeds import LatestArticlesAtomFeed, LatestArticlesFeed

urlpatterns = [
    path("authors/<slug:slug>/", views.author_detail, name="author"),
    path("search/", views.search, name="search"),
    path("feed/", LatestArticlesFeed(), name="rss_feed"),
    path("feed/atom/", LatestArticlesAtomFeed(), name="atom_feed"),
    path("api/articles/", api.article_list, name="api_articles"),
    path("api/articles/<id:article_id>/", api.article_detail, name="api_article"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("news-sitemap.xml", news_sitemap.news_sitemap, name="news_sitemap"),
]
